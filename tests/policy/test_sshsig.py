"""Reading what an SSH signature says about its key: the type, and for a FIDO security key
whether a person touched it (PROTOCOL.sshsig, PROTOCOL.u2f). Real ssh-keygen signatures,
and security-key signatures assembled byte by byte as OpenSSH lays them out."""

from __future__ import annotations

import base64
import contextlib
import subprocess
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from caution.policy.sshsig import SignatureFormatError, signature_info


def _string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def _armored(key_type: bytes, signature: bytes) -> str:
    public = _string(key_type) + _string(b"\x01" * 32) + _string(b"ssh:")
    blob = (
        b"SSHSIG"
        + (1).to_bytes(4, "big")
        + _string(public)
        + _string(b"caution-approval")
        + _string(b"")
        + _string(b"sha512")
        + _string(signature)
    )
    body = base64.b64encode(blob).decode()
    lines = "\n".join(body[i : i + 70] for i in range(0, len(body), 70))
    return f"-----BEGIN SSH SIGNATURE-----\n{lines}\n-----END SSH SIGNATURE-----\n"


def _sk_signature(flags: int) -> bytes:
    kind = b"sk-ssh-ed25519@openssh.com"
    return _string(kind) + _string(b"\x02" * 64) + bytes([flags]) + (7).to_bytes(4, "big")


def test_a_security_key_signature_says_whether_it_was_touched() -> None:
    touched = signature_info(_armored(b"sk-ssh-ed25519@openssh.com", _sk_signature(0x01)))
    assert touched.security_key and touched.touched
    untouched = signature_info(_armored(b"sk-ssh-ed25519@openssh.com", _sk_signature(0x04)))
    assert untouched.security_key and not untouched.touched  # verified, but no presence


def test_a_plain_key_signature_is_no_security_key(tmp_path: Path) -> None:
    key = tmp_path / "k"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    signed = subprocess.run(
        ["ssh-keygen", "-q", "-Y", "sign", "-f", str(key), "-n", "caution-approval"],
        input=b"statement",
        capture_output=True,
        check=True,
    ).stdout.decode()
    info = signature_info(signed)
    assert info.key_type == "ssh-ed25519" and not info.security_key and not info.touched


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.binary(max_size=300).map(lambda b: _armored(b"x", b)))
def test_any_text_is_read_or_refused(text: str) -> None:
    with contextlib.suppress(SignatureFormatError):
        signature_info(text)
