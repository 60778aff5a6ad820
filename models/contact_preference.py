"""How a person or a village wants to be told: channels in order, quiet hours, reminders.

Kept as a mixin on `Person` and `Site` (the preference belongs to whom it describes; a
village is told through its representatives' accounts and its own phone). Changes to a
booked visit are always sent; only reminders can be switched off.
"""
from __future__ import annotations

from sqlalchemy import String, text
from sqlalchemy.orm import Mapped, mapped_column

# The order used when nobody chose one: WeCom reaches staff at work, SMS reaches any
# mobile, e-mail last (many villages and older lawyers read none).
DEFAULT_ORDER = ("wecom", "sms", "email")


class ContactPreferences:
    # Comma-separated channels in order of preference ("sms,email"); empty: DEFAULT_ORDER.
    notify_channels: Mapped[str] = mapped_column(String(32), default="", server_default=text("''"))
    # No SMS between 21:00 and 08:00 local time, except changes for the same or next day.
    quiet_hours: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    reminders: Mapped[bool] = mapped_column(default=True, server_default=text("true"))

    def channel_order(self) -> tuple[str, ...]:
        chosen = tuple(c for c in (self.notify_channels or "").split(",") if c in DEFAULT_ORDER)
        return chosen or DEFAULT_ORDER
