"""Publishing the device's keys before the first sync, retried until the homeserver takes them."""

from __future__ import annotations

import asyncio
import logging

from nio import AsyncClient, KeysUploadResponse
from nio.exceptions import LocalProtocolError

from bot.backoff import backoff_delay, worth_logging
from bot.errors import NETWORK_ERRORS

# Logged under the sync loop's name, as before this module was split from it: operators filter on that name.
log = logging.getLogger("bot.sync_loop")


async def upload_device_keys(client: AsyncClient, request_timeout: float, max_delay: float) -> None:
    """Publish a new device's keys before the first sync, retrying (with a time limit per try) until it works."""
    failures = 0
    while client.olm is not None and client.should_upload_keys:
        try:
            async with asyncio.timeout(request_timeout):
                response = await client.keys_upload()
            if isinstance(response, KeysUploadResponse):
                if failures:
                    log.info("device keys uploaded", extra={"failed_attempts": failures})
                return
            error: object = response
        except (*NETWORK_ERRORS, LocalProtocolError) as raised:
            error = raised
        failures += 1
        delay = backoff_delay(failures, max_delay)
        if worth_logging(failures):
            log.warning(
                "key upload failed; retrying",
                extra={"error": repr(error)[:200], "attempt": failures, "retry_in_s": round(delay, 1)},
            )
        await asyncio.sleep(delay)
