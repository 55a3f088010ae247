"""The listening corpus: realistic patient-information sentences and what must be heard."""
