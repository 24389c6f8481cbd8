"""The platform's Vietnamese vocabulary, written once.

Every service and the portal take these facts from here, so one mistake gets one message
everywhere: ``cccd`` (validate, mask, keyed hash), ``phone`` and ``email`` (normalise, mask),
``names`` (full names and their public mask), ``provinces`` (the 34 provinces and 3,321 communes
of the 2025 reform, from the ``vietnam-provinces`` package), ``statuses`` (the ten national
dossier statuses with codes and labels) and ``codes`` (agency and dossier codes).

Pure Python: domain packages may import it; it imports no framework, database or broker.
"""
