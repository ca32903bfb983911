"""Security helpers: argon2 password hashing, query codes for the public tracker, masking of personal data,
a small in-memory rate limiter, and upload checks.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "RateLimiter",
    "UploadRejected",
    "check_upload",
    "hash_password",
    "hash_query_code",
    "mask_email",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "new_query_code",
    "verify_password",
    "verify_query_code",
]

_hasher = PasswordHasher()
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ValueError("密码至少需要8个字符")
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# A fixed argon2 hash used to spend the same time on unknown user names (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash("no-such-user-dummy-password")


def burn_password_check(password: str) -> None:
    verify_password(_DUMMY_HASH, password)


def new_query_code() -> str:
    """A private query code for the applicant (10 characters, about 50 bits)."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def hash_query_code(code: str, salt: str) -> str:
    return hashlib.sha256((salt + ":" + normalise_code(code)).encode()).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()


def verify_query_code(code: str, salt: str, stored: str) -> bool:
    return bool(stored) and hmac.compare_digest(hash_query_code(code, salt), stored)


def mask_name(name: str) -> str:
    """张三 → 张*；欧阳娜娜 → 欧***；an organisation keeps its name (not personal data)."""
    name = name.strip()
    if not name:
        return ""
    if len(name) > 6 and any(w in name for w in ("公司", "中心", "协会", "事务所", "研究", "大学", "学院", "基金会")):
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_id_number(value: str) -> str:
    v = value.strip()
    if len(v) <= 4:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:] if len(v) > 7 else v[:1] + "*" * (len(v) - 1)


def mask_phone(value: str) -> str:
    v = value.strip()
    if len(v) < 7:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_email(value: str) -> str:
    v = value.strip()
    if "@" not in v:
        return mask_name(v)
    user, _, domain = v.partition("@")
    return (user[:1] + "***@" + domain) if user else "***@" + domain


class RateLimiter:
    """Sliding-window limiter keyed by (bucket, client): at most ``limit`` hits per ``window`` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Record a hit; False when the limit is exceeded."""
        now = time.monotonic()
        with self._lock:
            q = self._hits.setdefault(key, deque())
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(now)
            if len(self._hits) > 100_000:  # bound memory under a flood of distinct keys
                for k in [k for k, v in self._hits.items() if not v][:50_000]:
                    del self._hits[k]
            return True

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


class UploadRejected(ValueError):
    """An uploaded file was refused; the message is shown to the user."""


@dataclass(frozen=True)
class UploadPolicy:
    max_bytes: int = 5 * 1024 * 1024
    max_files: int = 5
    allowed: tuple[str, ...] = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".txt", ".ofd", ".wps")


_MAGIC: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".ofd": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".wps": (b"\xd0\xcf\x11\xe0", b"PK\x03\x04"),
}


def safe_filename(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return cleaned[:120] or "附件"


def check_upload(filename: str, data: bytes, policy: UploadPolicy | None = None) -> str:
    """Validate one upload (size, extension, content signature); returns the cleaned file name."""
    policy = policy or UploadPolicy()
    name = safe_filename(filename)
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in policy.allowed:
        raise UploadRejected(f"不支持的附件类型“{ext or '无扩展名'}”，允许：{'、'.join(policy.allowed)}")
    if len(data) > policy.max_bytes:
        raise UploadRejected(f"附件“{name}”超过大小上限 {policy.max_bytes // (1024 * 1024)} MB")
    if not data:
        raise UploadRejected(f"附件“{name}”是空文件")
    magic = _MAGIC.get(ext)
    if magic and not any(data.startswith(m) for m in magic):
        raise UploadRejected(f"附件“{name}”的内容与扩展名不符")
    if ext == ".txt":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                data.decode("gb18030")
            except UnicodeDecodeError:
                raise UploadRejected(f"附件“{name}”不是有效的文本文件") from None
    return name


def new_secret() -> str:
    return secrets.token_urlsafe(32)
