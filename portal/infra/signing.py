"""Signed, expiring tokens for links in emails, timed on the portal's clock (style rule 17)."""

from datetime import UTC

from flask import current_app
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from portal.infra import clock


class ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock.now().replace(tzinfo=UTC).timestamp())


def serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt, signer=ClockSigner)
