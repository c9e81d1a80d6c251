"""The Textual app: a thin shell of screens and widgets over the core; nothing else imports it."""
