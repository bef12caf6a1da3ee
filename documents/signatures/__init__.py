"""Qualified electronic signatures (ЭЦП) over the frozen PDFs of registered documents.

- `cms.py` reads a detached CMS (CAdES-BES, as NCALayer makes it) and checks its signed attributes,
- `algorithms.py` verifies RSA (`cryptography`) and Kazakh GOST 34.10-2015 (`gostcrypto`) signatures,
- `chain.py` builds the certificate chain to the NCA roots configured in settings, checks validity, key usage and
  the signer's IIN,
- `revocation.py` asks OCSP (when configured) or the configured CRLs,
- `verify.py` puts the checks together; `services.py` stores a signature that passed them.
"""
