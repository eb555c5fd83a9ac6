"""Parsers that turn the text of one file into values with positions; they never touch the file system."""
