"""Messaging: SMS and e-mail providers and the rules applied before a message is sent.

Pure library code: no Flask, no database. The web app owns the message rows and the
RQ jobs that call these functions and senders.
"""
