"""The Textual app: a thin shell of screens and widgets over actui's core. Nothing else imports it."""
