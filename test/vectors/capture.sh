#!/usr/bin/env bash
# Capture the known-answer files in test/vectors/ from tpm2-tools 5.4 driving a fresh swtpm 0.7.1
# (libtpms 0.9.2). Every run makes new seeds, so every TPM-derived file changes: rerun only on purpose
# and commit the whole set together. README.md lists what each file is.
# usage: test/vectors/capture.sh [OUTDIR]   (default: the directory of this script)
set -euo pipefail

OUT=$(cd "${1:-$(dirname "$0")}" && pwd)
EXPECTED_POLICY_SECRET_E=837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa

for tool in swtpm tpm2_createek tpm2_print openssl xxd python3; do
  command -v "$tool" >/dev/null || { echo "capture.sh: missing tool: $tool" >&2; exit 1; }
done

umask 077
WORK=$(mktemp -d "${TMPDIR:-/tmp}/apsim-capture.XXXXXX")
SWTPM_PID=""
cleanup() {
  if [ -n "$SWTPM_PID" ]; then kill "$SWTPM_PID" 2>/dev/null || true; wait "$SWTPM_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# A port P whose neighbour P+1 (swtpm's control channel) is also free.
PORT=$(python3 - <<'EOF'
import socket
for _ in range(50):
    with socket.socket() as a:
        a.bind(("127.0.0.1", 0))
        port = a.getsockname()[1]
        if port >= 65535:
            continue
        try:
            with socket.socket() as b:
                b.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
    print(port)
    break
else:
    raise SystemExit("no free port pair")
EOF
)

mkdir "$WORK/state" "$WORK/run"
swtpm socket --tpm2 \
  --server type=tcp,port="$PORT",bindaddr=127.0.0.1 \
  --ctrl type=tcp,port=$((PORT + 1)),bindaddr=127.0.0.1 \
  --tpmstate dir="$WORK/state" \
  --flags not-need-init,startup-clear >"$WORK/swtpm.log" 2>&1 &
SWTPM_PID=$!

for _ in $(seq 1 200); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  kill -0 "$SWTPM_PID" 2>/dev/null || { echo "capture.sh: swtpm exited:" >&2; cat "$WORK/swtpm.log" >&2; exit 1; }
  sleep 0.05
done
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || { echo "capture.sh: swtpm did not listen on $PORT" >&2; exit 1; }

export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$PORT"
cd "$WORK/run"

# No resource manager: each tool leaves its transient objects loaded and swtpm has 3 slots, so flush
# after every invocation that loads one (else TPM_RC_OBJECT_MEMORY).
flush() { tpm2_flushcontext -t >/dev/null; }
# Run quietly; show the tool's stderr only when it fails (offline tools always print WARN lines).
quiet() { "$@" >/dev/null 2>"$WORK/stderr" || { cat "$WORK/stderr" >&2; return 1; }; }

echo "== EKs (default TCG templates) and their PEM forms"
tpm2_createek -G rsa -c ek_rsa.ctx -u ek_rsa.pub >/dev/null; flush
tpm2_createek -G ecc -c ek_ecc.ctx -u ek_ecc.pub >/dev/null; flush
tpm2_readpublic -c ek_rsa.ctx -f pem -o ek_rsa.pem -n ek_rsa.name >/dev/null; flush
tpm2_readpublic -c ek_ecc.ctx -f pem -o ek_ecc.pem -n ek_ecc.name >/dev/null; flush

echo "== AKs (children of the EKs)"
tpm2_createak -C ek_rsa.ctx -c ak_rsa.ctx -G rsa -g sha256 -s rsassa -u ak_rsa.pub -n ak_rsa.name -r ak_rsa.priv >/dev/null; flush
tpm2_createak -C ek_ecc.ctx -c ak_ecc.ctx -G ecc -g sha256 -s ecdsa -u ak_ecc.pub -n ak_ecc.name -r ak_ecc.priv >/dev/null; flush
tpm2_readpublic -c ak_rsa.ctx -f pem -o ak_rsa.pem >/dev/null; flush
tpm2_readpublic -c ak_ecc.ctx -f pem -o ak_ecc.pem >/dev/null; flush

echo "== SRK context file"
tpm2_createprimary -C o -g sha256 -G ecc -c srk.ctx >/dev/null; flush

echo "== quotes over sha256:0..7"
# Give PCRs 0..7 distinct values so the quoted pcrDigest is not the digest of zeros:
# PCR[i] = SHA256(zeros(32) || 32-byte big-endian integer i+1).
for i in 0 1 2 3 4 5 6 7; do tpm2_pcrextend "$i:sha256=$(printf '%064x' $((i + 1)))"; done
for alg in rsa ecc; do
  tpm2_quote -c "ak_$alg.ctx" -l sha256:0,1,2,3,4,5,6,7 -q abcdef0123456789 -g sha256 \
    -m "quote_$alg.msg" -s "quote_$alg.sig" -o "quote_$alg.pcrs" >/dev/null; flush
  tpm2_checkquote -u "ak_$alg.pub" -m "quote_$alg.msg" -s "quote_$alg.sig" -f "quote_$alg.pcrs" -g sha256 \
    -q abcdef0123456789 >/dev/null
  tpm2_print -t TPMS_ATTEST "quote_$alg.msg" >"quote_$alg.msg.txt"
done

echo "== MakeCredential (offline, -T none) and an ActivateCredential check"
# A fixed secret keeps secret.bin stable across captures.
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(0x40, 0x60)))' >secret.bin
quiet tpm2_makecredential -T none -u ek_rsa.pub -s secret.bin -n "$(xxd -p -c 256 ak_rsa.name)" -o cred_rsa.bin
quiet tpm2_makecredential -T none -u ek_ecc.pem -G ecc -s secret.bin -n "$(xxd -p -c 256 ak_ecc.name)" -o cred_ecc.bin
for alg in rsa ecc; do
  tpm2_startauthsession --policy-session -S ekpol.ctx >/dev/null
  tpm2_policysecret -S ekpol.ctx -c e >/dev/null
  tpm2_activatecredential -c "ak_$alg.ctx" -C "ek_$alg.ctx" -i "cred_$alg.bin" -o "actcred_$alg.bin" \
    -P session:ekpol.ctx >/dev/null
  tpm2_flushcontext ekpol.ctx >/dev/null; flush
  cmp -s secret.bin "actcred_$alg.bin" || { echo "capture.sh: activated secret ($alg) differs" >&2; exit 1; }
done

echo "== MakeCredential against test-only keys (private halves committed, so the blobs can be opened)"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out testkey_rsa.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out testkey_ecc.key 2>/dev/null
for alg in rsa ecc; do
  openssl pkey -in "testkey_$alg.key" -pubout -out "testkey_$alg.pem"
  quiet tpm2_makecredential -T none -u "testkey_$alg.pem" -G "$alg" -s secret.bin \
    -n "$(xxd -p -c 256 "ak_$alg.name")" -o "cred_testkey_$alg.bin"
done

echo "== Certify of a child key with the RSA AK"
tpm2_create -C srk.ctx -G ecc -u key.pub -r key.priv >/dev/null; flush
tpm2_load -C srk.ctx -u key.pub -r key.priv -n key.name -c key.ctx >/dev/null; flush
tpm2_certify -c key.ctx -C ak_rsa.ctx -g sha256 -o certify_rsa.attest -s certify_rsa.sig >/dev/null; flush

echo "== PolicySecret(TPM_RH_ENDORSEMENT) digest from a trial session"
tpm2_startauthsession -S trial.ctx >/dev/null
tpm2_policysecret -S trial.ctx -c e -L policysecret_e.dat >/dev/null
tpm2_flushcontext trial.ctx >/dev/null
got=$(xxd -p -c 256 policysecret_e.dat)
[ "$got" = "$EXPECTED_POLICY_SECRET_E" ] || { echo "capture.sh: policy digest $got != $EXPECTED_POLICY_SECRET_E" >&2; exit 1; }

echo "== properties-fixed"
tpm2_getcap properties-fixed >getcap_properties_fixed.txt

echo "== copying to $OUT"
FILES=(
  ek_rsa.pub ek_rsa.name ek_rsa.pem ek_ecc.pub ek_ecc.name ek_ecc.pem
  ak_rsa.pub ak_rsa.name ak_rsa.priv ak_rsa.pem ak_ecc.pub ak_ecc.name ak_ecc.priv ak_ecc.pem
  srk.ctx
  quote_rsa.msg quote_rsa.sig quote_rsa.pcrs quote_rsa.msg.txt
  quote_ecc.msg quote_ecc.sig quote_ecc.pcrs quote_ecc.msg.txt
  secret.bin cred_rsa.bin cred_ecc.bin
  testkey_rsa.key testkey_rsa.pem cred_testkey_rsa.bin testkey_ecc.key testkey_ecc.pem cred_testkey_ecc.bin
  key.pub key.name certify_rsa.attest certify_rsa.sig
  policysecret_e.dat getcap_properties_fixed.txt
)
for f in "${FILES[@]}"; do
  case "$f" in
    *.key) install -m 0600 "$f" "$OUT/$f" ;;
    *) install -m 0644 "$f" "$OUT/$f" ;;
  esac
done
echo "captured ${#FILES[@]} files"
