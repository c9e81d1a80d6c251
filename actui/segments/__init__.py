"""Segments: the condition-tree model, its validation, the SQL compiler and audience insights."""
