"""Signals between apps that must not import each other."""

from django.dispatch import Signal

# An address hard-bounced (the mail server said it does not exist): sent with `email`.
# Newsletters detect bounces; accounts take police access from an address that no longer works.
address_bounced = Signal()
