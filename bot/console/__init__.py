"""The staff review console: sign-in (auth), triage (cases), alerts, and the pages and API (routes).

Why inside the web app: staff and the widget share one server, one database and one deployment; the
console's routes all live under /console and share nothing with the widget's but the app itself.
"""
