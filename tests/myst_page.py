"""The front matter that makes a MyST markdown file an executable page,
for the small books the build and preview tests write."""

HEADER = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""
