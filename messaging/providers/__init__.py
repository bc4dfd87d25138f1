"""SMS and e-mail senders behind two small interfaces."""

from messaging.providers.base import (
    DeliveryError,
    EmailSender,
    FailureReason,
    PermanentDeliveryError,
    RetryableDeliveryError,
    SmsSender,
)
from messaging.providers.factory import ProviderConfig, Senders, build_senders

__all__ = [
    "DeliveryError",
    "EmailSender",
    "FailureReason",
    "PermanentDeliveryError",
    "ProviderConfig",
    "RetryableDeliveryError",
    "Senders",
    "SmsSender",
    "build_senders",
]
