"""An independent TPM client: tpm2-pytss (ESAPI) creates a primary key, quotes, and uses a salted session with
parameter encryption. Prints one JSON document of outcomes, so the same run against two TPMs can be compared.
Usage: /usr/bin/python3 esapi_flow.py TCTI
"""
import hashlib
import json
import sys

from tpm2_pytss import ESAPI, TPM2B_PUBLIC, TPM2B_SENSITIVE_CREATE, TPML_PCR_SELECTION, TPMT_SIG_SCHEME
from tpm2_pytss.constants import ESYS_TR, TPM2_ALG, TPM2_SE, TPM2_SU, TPMA_SESSION
from tpm2_pytss.types import TPM2B_DATA, TPM2B_DIGEST, TPMT_SYM_DEF


def main(tcti: str) -> None:
    out = {}
    with ESAPI(tcti) as ectx:
        try:
            ectx.startup(TPM2_SU.CLEAR)
        except Exception:  # already started (TPM_RC_INITIALIZE)
            pass
        out["random"] = len(ectx.get_random(16))

        template = TPM2B_PUBLIC.parse(
            "ecc256:aes128cfb",
            objectAttributes="fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|decrypt|noda",
        )
        srk, srk_pub, _, _, _ = ectx.create_primary(TPM2B_SENSITIVE_CREATE(), template, ESYS_TR.OWNER)
        out["srk_type"] = int(srk_pub.publicArea.type)

        ak_template = TPM2B_PUBLIC.parse(
            "ecc256:ecdsa-sha256:null",
            objectAttributes="fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign",
        )
        priv, pub, _, _, _ = ectx.create(srk, TPM2B_SENSITIVE_CREATE(), ak_template)
        ak = ectx.load(srk, priv, pub)
        nonce = TPM2B_DATA(b"pytss-nonce-0123")
        quoted, signature = ectx.quote(
            ak, TPML_PCR_SELECTION.parse("sha256:0,1,2,3"), nonce, TPMT_SIG_SCHEME(scheme=TPM2_ALG.NULL)
        )
        attest = bytes(quoted)
        out["quote_extra_data"] = nonce.buffer.hex() in attest.hex()
        out["quote_sig_alg"] = int(signature.sigAlg)

        # salted HMAC session, salt encrypted to the SRK, AES-128-CFB parameter encryption both ways
        sym = TPMT_SYM_DEF(algorithm=TPM2_ALG.AES)
        sym.keyBits.aes = 128
        sym.mode.aes = TPM2_ALG.CFB
        session = ectx.start_auth_session(srk, ESYS_TR.NONE, TPM2_SE.HMAC, sym, TPM2_ALG.SHA256)
        ectx.trsess_set_attributes(
            session, TPMA_SESSION.CONTINUESESSION | TPMA_SESSION.DECRYPT | TPMA_SESSION.ENCRYPT
        )
        out["encrypted_random"] = len(ectx.get_random(24, session1=session))
        digest, _ = ectx.hash(b"hello from pytss", TPM2_ALG.SHA256, ESYS_TR.OWNER, session1=session)
        out["encrypted_hash_ok"] = bytes(digest) == hashlib.sha256(b"hello from pytss").digest()
        ectx.flush_context(session)
        ectx.flush_context(ak)
        ectx.flush_context(srk)
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
