"""Days: instants and time zones, business-day calendars, and date rules resolved in words.

``instants`` parses and formats moments (DST-correct, never the clock), ``calendars``
counts trading and banking days from fixed tables, and ``dates`` resolves an
obligation's ``DateSpec`` to a day, saying each step of the arithmetic.
"""
