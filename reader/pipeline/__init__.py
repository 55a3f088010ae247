"""The pipeline: parse, speech text, synthesise, encode and publish documents."""
