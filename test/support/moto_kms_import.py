"""
moto_server (moto 5.2.1) with what the multi-Region BYOK ceremony needs and moto lacks, for tests only.

moto has no GetParametersForImport or ImportKeyMaterial; it creates keys of origin EXTERNAL already Enabled with key
material of its own; its ReplicateKey shares the MultiRegionConfiguration dict between a primary and its replica (so
describing the replica turns the primary into a REPLICA) and ignores the Policy parameter; its mrk- key ids are not AWS's form; and its ciphertext header
holds 36 characters of the key id, so an mrk- key's ciphertext names no key and never decrypts in another Region.

Here, as in AWS KMS (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-import.html):
- a key of origin EXTERNAL, and every replica of one, starts PendingImport with no material;
- GetParametersForImport returns a fresh RSA wrapping key per call; ImportKeyMaterial unwraps with it
  (RSAES_OAEP_SHA_256, or RSA_AES_KEY_WRAP_SHA_256), is refused with IncorrectKeyMaterialException when the key already
  holds other material, and makes the key Enabled;
- AWS KMS does not copy imported material to replicas: each Region's key holds what was imported into it, and a
  ciphertext (which names the key id, the same for related multi-Region keys) decrypts in a Region only when that
  Region's key holds the same material.
Run it as moto_server: python3 moto_kms_import.py -H 127.0.0.1 -p <port>.
"""
import base64
import copy
import hashlib
import json
import os
import re
import struct
import sys
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap_with_padding
from moto.core.exceptions import JsonRESTError
from moto.kms import models, responses
from moto.kms.exceptions import InvalidCiphertextException, NotFoundException, ValidationException

MAGIC = b"CKMSIMP1"
# ImportToken -> (region, key id, wrapping private key, wrapping algorithm)
TOKENS = {}


class KmsError(JsonRESTError):
    def __init__(self, code, message=""):
        super().__init__(code, message)


def _external(key):
    return key.origin == "EXTERNAL"


_original_generate_key_id = models.generate_key_id


def _generate_key_id(multi_region=False):
    # AWS's form, mrk- and 32 hex digits (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html);
    # moto writes a dashed UUID after mrk-, which no KMS key id looks like.
    return "mrk-" + os.urandom(16).hex() if multi_region else _original_generate_key_id(False)


models.generate_key_id = _generate_key_id
_original_validate_cmk_id = responses.KmsResponse._validate_cmk_id


def _validate_cmk_id(self, key_id):
    if re.match(r"^mrk-[0-9a-f]{32}$", key_id):
        if key_id not in self.kms_backend.keys:
            raise NotFoundException(f"Key '{self._display_arn(key_id)}' does not exist")
        return
    _original_validate_cmk_id(self, key_id)


responses.KmsResponse._validate_cmk_id = _validate_cmk_id
_original_key_init = models.Key.__init__


def _key_init(self, *args, **kwargs):
    _original_key_init(self, *args, **kwargs)
    # AWS KMS's default KeyUsage (moto leaves it empty).
    self.key_usage = self.key_usage or "ENCRYPT_DECRYPT"
    if _external(self):
        self.key_state = "PendingImport"
        self.key_material = None


models.Key.__init__ = _key_init
_original_to_dict = models.Key.to_dict


def _to_dict(self):
    out = _original_to_dict(self)
    if _external(self) and getattr(self, "imported_expiration_model", None):
        out["KeyMetadata"]["ExpirationModel"] = self.imported_expiration_model
        if self.imported_valid_to is not None:
            out["KeyMetadata"]["ValidTo"] = self.imported_valid_to
    return out


models.Key.to_dict = _to_dict


def _replicate_key(self, key_id, replica_region, policy=None):
    primary = self.keys[self.any_id_to_key_id(key_id)]
    if not primary.multi_region or primary.multi_region_configuration["MultiRegionKeyType"] != "PRIMARY":
        raise KmsError("UnsupportedOperationException", f"{primary.arn} is not a multi-Region primary key")
    if replica_region == self.region_name:
        raise ValidationException("the replica Region must differ from the primary's")
    target = models.kms_backends[self.account_id][replica_region]
    if primary.id in target.keys:
        raise KmsError("AlreadyExistsException", f"{primary.id} already has a replica in {replica_region}")
    replica = copy.copy(primary)
    replica.region = replica_region
    replica.arn = primary.arn.replace(f":{self.region_name}:", f":{replica_region}:")
    replica.policy = policy or primary.generate_default_policy()
    if _external(primary):
        replica.key_state = "PendingImport"
        replica.key_material = None
    primary.multi_region_configuration = copy.deepcopy(primary.multi_region_configuration)
    primary.multi_region_configuration["ReplicaKeys"].append({"Arn": replica.arn, "Region": replica_region})
    replica.multi_region_configuration = copy.deepcopy(primary.multi_region_configuration)
    replica.multi_region_configuration["MultiRegionKeyType"] = "REPLICA"
    target.keys[replica.id] = replica
    return replica


models.KmsBackend.replicate_key = _replicate_key


def _response_replicate_key(self):
    key_id = self._get_param("KeyId")
    self._validate_key_id(key_id)
    replica = self.kms_backend.replicate_key(key_id, self._get_param("ReplicaRegion"), self._get_param("Policy"))
    return json.dumps({"ReplicaKeyMetadata": replica.to_dict()["KeyMetadata"], "ReplicaPolicy": replica.policy})


responses.KmsResponse.replicate_key = _response_replicate_key


def _response_get_parameters_for_import(self):
    key = self.kms_backend.describe_key(self._get_param("KeyId"))
    if not _external(key):
        raise KmsError("UnsupportedOperationException", f"{key.arn} origin is {key.origin} which is not valid for this operation.")
    algorithm = self._get_param("WrappingAlgorithm")
    if algorithm not in ("RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_256"):
        raise ValidationException(f"wrapping algorithm {algorithm} is not supported by this stand-in")
    bits = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}[self._get_param("WrappingKeySpec")]
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    token = os.urandom(64)
    TOKENS[token] = (self.region, key.id, private, algorithm)
    public = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    valid_to = datetime.now(timezone.utc) + timedelta(hours=24)
    return json.dumps({
        "KeyId": key.arn,
        "ImportToken": base64.b64encode(token).decode(),
        "PublicKey": base64.b64encode(public).decode(),
        "ParametersValidTo": valid_to.timestamp(),
    })


def _unwrap(private, algorithm, blob):
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    if algorithm == "RSAES_OAEP_SHA_256":
        return private.decrypt(blob, oaep)
    size = private.key_size // 8
    return aes_key_unwrap_with_padding(private.decrypt(blob[:size], oaep), blob[size:])


def _response_import_key_material(self):
    key = self.kms_backend.describe_key(self._get_param("KeyId"))
    token = base64.b64decode(self._get_param("ImportToken"))
    if token not in TOKENS or TOKENS[token][:2] != (self.region, key.id):
        raise KmsError("InvalidImportTokenException", "the import token is not valid for this key")
    _, _, private, algorithm = TOKENS[token]
    try:
        material = _unwrap(private, algorithm, base64.b64decode(self._get_param("EncryptedKeyMaterial")))
    except Exception:
        raise InvalidCiphertextException()
    if key.key_material is not None and key.key_material != material:
        raise KmsError("IncorrectKeyMaterialException", "the key material does not match the material previously imported")
    model = self._get_param("ExpirationModel") or "KEY_MATERIAL_EXPIRES"
    if (model == "KEY_MATERIAL_EXPIRES") != (self._get_param("ValidTo") is not None):
        raise ValidationException("ValidTo is required with KEY_MATERIAL_EXPIRES and refused otherwise")
    key.key_material = material
    key.key_state = "Enabled"
    key.imported_expiration_model = model
    key.imported_valid_to = self._get_param("ValidTo")
    material_id = hashlib.sha256(key.id.encode() + material).hexdigest()
    return json.dumps({"KeyId": key.arn, "KeyMaterialId": material_id})


responses.KmsResponse.get_parameters_for_import = _response_get_parameters_for_import
responses.KmsResponse.import_key_material = _response_import_key_material


def _context(encryption_context):
    return json.dumps(encryption_context or {}, sort_keys=True).encode()


_original_encrypt = models.KmsBackend.encrypt
_original_decrypt = models.KmsBackend.decrypt


def _encrypt(self, key_id, plaintext, encryption_context):
    key = self.keys.get(self.any_id_to_key_id(key_id))
    if key is None or not _external(key):
        return _original_encrypt(self, key_id, plaintext, encryption_context)
    if key.key_state != "Enabled":
        raise KmsError("KMSInvalidStateException", f"{key.arn} is {key.key_state}")
    iv = os.urandom(12)
    sealed = AESGCM(key.key_material).encrypt(iv, plaintext, _context(encryption_context))
    return MAGIC + struct.pack(">H", len(key.id)) + key.id.encode() + iv + sealed, key.arn


def _decrypt(self, ciphertext_blob, encryption_context, key_id=None):
    if not ciphertext_blob.startswith(MAGIC):
        return _original_decrypt(self, ciphertext_blob, encryption_context, key_id)
    (length,) = struct.unpack(">H", ciphertext_blob[8:10])
    named = ciphertext_blob[10:10 + length].decode()
    key = self.keys.get(named)
    if key is None:
        raise NotFoundException(f"key {named} does not exist in {self.region_name}")
    if key_id is not None and self.any_id_to_key_id(key_id) != named:
        raise KmsError("IncorrectKeyException", "the ciphertext was not encrypted under the KMS key given")
    if key.key_state != "Enabled":
        raise KmsError("KMSInvalidStateException", f"{key.arn} is {key.key_state}")
    body = ciphertext_blob[10 + length:]
    try:
        plaintext = AESGCM(key.key_material).decrypt(body[:12], body[12:], _context(encryption_context))
    except Exception:
        raise InvalidCiphertextException()
    return plaintext, key.arn


models.KmsBackend.encrypt = _encrypt
models.KmsBackend.decrypt = _decrypt

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
