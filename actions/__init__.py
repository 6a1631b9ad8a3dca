"""Custom actions of the clinic support assistant (`python -m rasa_sdk --actions actions`).

Importing the modules registers their actions with the SDK. Grouped by goal:
session (opening), feelings (reflection), exercises (guided steps), ratings (0-10 before/after)
with notes (what to say before the next question), menus (a menu answered by typing),
safety (escalation case), safety_plan (the Stanley-Brown plan's answers), catalogue (a never-run marker,
see data/rules/catalogue.yml).
No action logs message text.
"""
from actions import catalogue, exercises, feelings, menus, notes, ratings, safety, safety_plan, session  # noqa: F401
