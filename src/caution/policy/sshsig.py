"""What an SSH signature says about the key that made it. Pure.

`ssh-keygen -Y verify` checks that a signature is good; it does not say whether a
hardware security key made it with a touch. An approval is worth something only if a
person made it, and a touch on a FIDO key is the one thing a process in that person's
session cannot fake. So caution reads the armored SSHSIG itself (OpenSSH's
PROTOCOL.sshsig): the signing key's type, and for `sk-` keys the authenticator's flags,
whose bit 0x01 is user presence (PROTOCOL.u2f).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

USER_PRESENT = 0x01
USER_VERIFIED = 0x04
SECURITY_KEY_TYPES = ("sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com")
_BEGIN = "-----BEGIN SSH SIGNATURE-----"
_END = "-----END SSH SIGNATURE-----"


class SignatureFormatError(ValueError):
    pass


@dataclass(frozen=True)
class SignatureInfo:
    key_type: str
    flags: int | None  # the authenticator's flags for a security key, else None

    @property
    def security_key(self) -> bool:
        return self.key_type in SECURITY_KEY_TYPES

    @property
    def touched(self) -> bool:
        return self.flags is not None and bool(self.flags & USER_PRESENT)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise SignatureFormatError("the signature ends too early")
        out = self.data[self.pos : self.pos + size]
        self.pos += size
        return out

    def uint32(self) -> int:
        return int.from_bytes(self.take(4), "big")

    def string(self) -> bytes:
        return self.take(self.uint32())


def signature_info(armored: str) -> SignatureInfo:
    """The key type (and, for a security key, its flags) of an armored SSH signature."""
    text = armored.strip()
    if not text.startswith(_BEGIN) or not text.endswith(_END):
        raise SignatureFormatError("not an armored SSH signature")
    body = "".join(text[len(_BEGIN) : -len(_END)].split())
    try:
        blob = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureFormatError("the signature is not base64") from exc
    reader = _Reader(blob)
    if reader.take(6) != b"SSHSIG":
        raise SignatureFormatError("not an SSHSIG signature")
    reader.uint32()  # version
    public_key = _Reader(reader.string())
    key_type = public_key.string().decode("ascii", "replace")
    reader.string()  # namespace
    reader.string()  # reserved
    reader.string()  # hash algorithm
    signature = _Reader(reader.string())
    signature_type = signature.string().decode("ascii", "replace")
    if signature_type not in SECURITY_KEY_TYPES:
        return SignatureInfo(key_type, None)
    signature.string()  # the signature proper
    flags = signature.take(1)[0]
    signature.uint32()  # counter
    return SignatureInfo(key_type, flags)


__all__ = ["SECURITY_KEY_TYPES", "SignatureFormatError", "SignatureInfo", "signature_info"]
