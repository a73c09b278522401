#!/usr/bin/python3
# Makes keys and signs tokens the way identity services do, for the tests of
# tokens from identity services (53_identity_tokens.sh): RS256, ES256 (the raw
# r || s of JWS, not DER), EdDSA (Ed25519), and HS256 for algorithm confusion.
# Debian's /usr/bin/python3 with python3-cryptography (scripts/deps).
#
#   jwt_maker.py keys DIR                     new keys: rsa1, rsa2 (RSA 2048), ec (P-256), ed (Ed25519), rsa1024
#   jwt_maker.py jwks DIR NAME...             the JWKS of those keys' public parts, kid = NAME
#   jwt_maker.py sign DIR NAME CLAIMS [KID]   a token signed with key NAME (its algorithm by its type);
#                                             KID "-" leaves the kid out, default NAME
#   jwt_maker.py hs256 SECRET_FILE CLAIMS     an HS256 token whose HMAC key is the file's bytes
#   jwt_maker.py pem DIR NAME                 the public key as PEM (what an attacker would use as an HMAC key)
import base64
import hashlib
import hmac
import json
import os
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def number(n):
    return b64(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def load(directory, name):
    with open(os.path.join(directory, name + ".pem"), "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def jwk(key, kid):
    public = key.public_key()
    if isinstance(key, rsa.RSAPrivateKey):
        nums = public.public_numbers()
        return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": number(nums.n), "e": number(nums.e)}
    if isinstance(key, ec.EllipticCurvePrivateKey):
        nums = public.public_numbers()
        return {"kty": "EC", "kid": kid, "crv": "P-256", "alg": "ES256",
                "x": b64(nums.x.to_bytes(32, "big")), "y": b64(nums.y.to_bytes(32, "big"))}
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "kid": kid, "crv": "Ed25519", "alg": "EdDSA", "x": b64(raw)}


def sign(key, kid, claims):
    if isinstance(key, rsa.RSAPrivateKey):
        alg = "RS256"
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        alg = "ES256"
    else:
        alg = "EdDSA"
    header = {"alg": alg, "typ": "JWT"}
    if kid != "-":
        header["kid"] = kid
    signing_input = (b64(json.dumps(header).encode()) + "." + b64(claims.encode())).encode()
    if alg == "RS256":
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    elif alg == "ES256":
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        signature = key.sign(signing_input)
    return signing_input.decode() + "." + b64(signature)


def main(argv):
    command = argv[1]
    if command == "keys":
        directory = argv[2]
        keys = {"rsa1": rsa.generate_private_key(65537, 2048), "rsa2": rsa.generate_private_key(65537, 2048),
                "rsa1024": rsa.generate_private_key(65537, 1024), "ec": ec.generate_private_key(ec.SECP256R1()),
                "ed": ed25519.Ed25519PrivateKey.generate()}
        for name, key in keys.items():
            with open(os.path.join(directory, name + ".pem"), "wb") as f:
                f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    elif command == "jwks":
        print(json.dumps({"keys": [jwk(load(argv[2], name), name) for name in argv[3:]]}))
    elif command == "sign":
        print(sign(load(argv[2], argv[3]), argv[5] if len(argv) > 5 else argv[3], argv[4]))
    elif command == "hs256":
        with open(argv[2], "rb") as f:
            secret = f.read()
        signing_input = (b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(argv[3].encode())).encode()
        print(signing_input.decode() + "." + b64(hmac.new(secret, signing_input, hashlib.sha256).digest()))
    elif command == "pem":
        sys.stdout.write(load(argv[2], argv[3]).public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode())
    else:
        raise SystemExit("unknown command " + command)


main(sys.argv)
