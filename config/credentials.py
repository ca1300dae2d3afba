"""The bot's credentials: a password or an access token, given directly, through the environment, or in a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from config.keys import SECRET_FILES
from config.loaded import Loaded

_NO_CREDENTIALS = (
    "matrix: no credentials — set DIALOGUE_BOT_MATRIX__PASSWORD, or matrix.password_file, "
    "or matrix.access_token_file with matrix.device_id"
)
# Each secret with the file that may hold it: given in the environment, they replace the file's as a whole.
CREDENTIAL_KEYS = tuple(key for file_key, secret_key in SECRET_FILES.items() for key in (secret_key, file_key))


def prefer_env_credentials(matrix: dict[str, Any], env_sources: dict[tuple[str, str], str]) -> None:
    # Credentials given in the environment replace the file's as a whole: someone exporting
    # a token for a one-off run must not be told it conflicts with the file's password_file.
    if not any(("matrix", key) in env_sources for key in CREDENTIAL_KEYS):
        return
    for key in CREDENTIAL_KEYS:
        if ("matrix", key) not in env_sources:
            matrix.pop(key, None)


def read_secret_files(matrix: dict[str, Any], loaded: Loaded) -> bool:
    """Put each secret file's stripped content into its field; True if any file could not be used."""
    failed = False
    for file_key, secret_key in SECRET_FILES.items():
        path = matrix.get(file_key)
        if not isinstance(path, Path):
            continue
        if is_set(matrix.get(secret_key)):
            loaded.add(
                f"matrix.{secret_key}: both matrix.{secret_key} and matrix.{file_key} are set — keep one",
            )
            failed = True
            continue
        try:
            # Strip: editors and `echo` leave a trailing newline that is not part of the secret.
            content = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            loaded.add(f"matrix.{file_key}: cannot read {path} — {exc.strerror or exc}")
            failed = True
            continue
        except UnicodeDecodeError:
            loaded.add(f"matrix.{file_key}: {path} is not UTF-8 text")
            failed = True
            continue
        if not content:
            loaded.add(f"matrix.{file_key}: {path} is empty")
            failed = True
            continue
        matrix[secret_key] = content
    return failed


def check_credentials(matrix: dict[str, Any], loaded: Loaded, secret_file_failed: bool) -> bool:
    """Report a missing, incomplete or ambiguous credential; True if the bot could not log in."""
    has_password = is_set(matrix.get("password"))
    has_token = is_set(matrix.get("access_token"))
    if has_password and has_token:
        loaded.add(
            "matrix: both a password and an access token are set — keep one "
            "(the password logs in once; the token needs matrix.device_id)",
        )
    elif has_token and not is_set(matrix.get("device_id")):
        loaded.add(
            "matrix.device_id: required with an access token — the device ID the token was issued for",
        )
        return True
    elif not has_password and not has_token:
        # An unreadable secret file was already reported; "no credentials" would only confuse.
        if not secret_file_failed:
            loaded.add(_NO_CREDENTIALS)
        return True
    return False


def is_set(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and value.strip() == "")
