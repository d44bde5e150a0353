"""FAQ encryption: AES-256-GCM with a key from PBKDF2-HMAC-SHA256 (decrypted in the browser by Web Crypto)."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from zxcvbn import zxcvbn

ITERATIONS = 600_000  # OWASP 2023 for PBKDF2-HMAC-SHA256
MIN_LENGTH = 16
ZXCVBN_MAX = 72  # zxcvbn refuses longer input
# zxcvbn's top score, at least 10^10 estimated guesses: the ciphertext is public, so guessing is offline
STRENGTH = 4
CHECK = b"jet-faq-password-check"  # known plaintext: tells a wrong password from a damaged document
SECRETS = ("FAQ_PASSWORD", "FAQ_PASSWORD_FILE")
# what zxcvbn found the password made of, in our words (its own warnings quote examples that may be parts of it)
_WEAK_PARTS = {
    "dictionary": "common passwords or words",
    "spatial": "keyboard patterns",
    "repeat": "repetitions",
    "sequence": "sequences such as abcd or 1234",
    "regex": "years",
    "date": "dates",
}


class PasswordError(Exception):
    """The password is missing or unusable; the message says what to do (and never contains it)."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def read_password(env: dict[str, str], repo: Path) -> str:
    """The FAQ password from FAQ_PASSWORD or FAQ_PASSWORD_FILE (a file outside the repository), without the
    line ending a file or a pasted secret ends with; refused unless it passes check_password."""
    value, file = env.get("FAQ_PASSWORD"), env.get("FAQ_PASSWORD_FILE")
    if value and file:
        raise PasswordError("set only one of FAQ_PASSWORD and FAQ_PASSWORD_FILE")
    if file:
        path = Path(file).expanduser().resolve()
        if path.is_relative_to(repo.resolve()):
            raise PasswordError(f"FAQ_PASSWORD_FILE must be outside the repository ({repo})")
        if not path.is_file():
            raise PasswordError(f"FAQ_PASSWORD_FILE: no such file: {path}")
        value = path.read_text(encoding="utf-8")
    value = (value or "").rstrip("\r\n")
    if not value:
        raise PasswordError(
            "no FAQ password: set FAQ_PASSWORD, or FAQ_PASSWORD_FILE to a file outside the repository"
        )
    check_password(value)
    return value


def take_password(repo: Path, environ=os.environ) -> str:
    """read_password, then FAQ_PASSWORD and FAQ_PASSWORD_FILE removed from this process's environment (also
    when refused), so that no child process — MkDocs, Pagefind, Playwright's driver, Chromium — inherits them."""
    try:
        return read_password(dict(environ), repo)
    finally:
        for name in SECRETS:
            environ.pop(name, None)


def check_password(value: str) -> None:
    """At least MIN_LENGTH characters and not trivially weak; the reason says why, never what."""
    if not value.strip():
        raise PasswordError("the FAQ password is only whitespace")
    if len(value) < MIN_LENGTH:
        raise PasswordError(f"the FAQ password is too short: {len(value)} characters, at least {MIN_LENGTH}")
    if len(set(value)) == 1:
        raise PasswordError("the FAQ password is one character repeated")
    result = zxcvbn(value[:ZXCVBN_MAX])  # it estimates at most 72 characters; longer is not weaker
    if result["score"] < STRENGTH:
        parts = sorted({_WEAK_PARTS[m["pattern"]] for m in result["sequence"] if m["pattern"] in _WEAK_PARTS})
        raise PasswordError(
            f"the FAQ password is too easy to guess (zxcvbn score {result['score']}, at least {STRENGTH} needed)"
            + (f": it is made of {', '.join(parts)}" if parts else "")
        )


@dataclass(frozen=True)
class Sealer:
    """One build's key: a fresh random salt; every document gets its own random nonce."""

    key: bytes
    salt: bytes
    iterations: int

    @classmethod
    def new(cls, password: str, iterations: int = ITERATIONS) -> Sealer:
        salt = os.urandom(16)
        return cls(derive(password, salt, iterations), salt, iterations)

    def seal(self, plaintext: bytes, aad: bytes) -> dict[str, str]:
        nonce = os.urandom(12)
        return {"nonce": b64(nonce), "data": b64(AESGCM(self.key).encrypt(nonce, plaintext, aad))}

    def envelope(self, plaintext: bytes, aad: bytes) -> dict:
        """Everything the browser needs to decrypt one document (no trace of the password). The AAD (the
        edition) is not in it: the page says which edition it is, so a payload moved to another page fails."""
        return {
            "v": 2,
            "kdf": {
                "name": "PBKDF2",
                "hash": "SHA-256",
                "iterations": self.iterations,
                "salt": b64(self.salt),
            },
            "check": self.seal(CHECK, b"check"),
            "doc": self.seal(plaintext, aad),
        }


def derive(password: str, salt: bytes, iterations: int = ITERATIONS) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(password.encode("utf-8"))


def open_envelope(password: str, env: dict, aad: bytes) -> bytes:
    """Decrypt an envelope (tests and tools); raises InvalidTag on a wrong key, another AAD or damaged data."""
    key = derive(password, base64.b64decode(env["kdf"]["salt"]), env["kdf"]["iterations"])
    doc = env["doc"]
    return AESGCM(key).decrypt(base64.b64decode(doc["nonce"]), base64.b64decode(doc["data"]), aad)
