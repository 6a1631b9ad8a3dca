"""The clinic web app: a demo clinic page, the chat widget's files, and the chat gateway in front of Rasa.

Why a gateway instead of letting the widget talk to Rasa directly: the gateway caps message length,
rate-limits senders and, when Rasa is slow or down, still answers a risk message with the crisis
resources and records a case. See docs/widget.md.
"""
from bot.web.app import create_app

__all__ = ["create_app"]
