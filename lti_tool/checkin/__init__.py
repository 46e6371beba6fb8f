"""The weekly belonging check-in: questionnaire, scoring, signals and suggestions."""
