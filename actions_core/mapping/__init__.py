"""Mappings: field mapping values (directives, JMESPath paths, templates) compiled once."""
