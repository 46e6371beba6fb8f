"""The feedback composer: grading view, coached composer, comment bank, publishing.

Layout (Indico style): `blueprint.py` holds the routes only; `grading.py` (teachers),
`student.py` (learners), `bank.py` and `deep_link.py` are the controllers; every state
change lives in `operations.py`; `publishing.py`, `guide.py`, `coaching.py` and
`forms.py` are pure helpers; `status.py` reads what the grading view shows.
"""
