"""Load: input files in, checked model values out, every problem at ``path:line[:col]``.

YAML with a location on every node (``yaml_source``), the JSON Schema of rule files
(``schema``), rule files turned into ``Contract`` templates (``rulefile``, with the
obligation parts in ``obligation`` and one module per building block), and fact logs
read and validated against the vocabularies (``facts``: a chunk of lines decoded at once
in ``fact_chunks``, a line and its fields in ``fact_line``, the instances a fact can go
to in ``fact_takers``). Nothing here evaluates.
"""
