"""Output: findings rendered for people and programs.

The text report and the JSON document of ``check`` (``report``), what is due next
(``upcoming``), the RFC 5545 deadline calendar (``ics``) and ``explain``'s account of
one finding. Renderers read findings; they never evaluate.
"""
