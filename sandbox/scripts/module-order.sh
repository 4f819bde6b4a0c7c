#!/usr/bin/env bash
# Fails when a sandbox module uses (in code, not comments or tests) a module that is not
# below it in ORDER, the dependency order from leaf to top: each module may use only modules
# listed before it, so there can be no import cycle between top-level modules. Also fails
# when src/lib.rs declares a module ORDER does not list. Prints the order on success.
set -euo pipefail
SRC="$(cd "$(dirname "$0")/../src" && pwd)"
exec python3 - "$SRC" <<'PY'
import os, re, sys
src = sys.argv[1]
ORDER = ("errors rng clock http fixtures faults config pdf model validate state app "
         "routes delivery router server").split()
declared = re.findall(r"^pub mod (\w+);", open(os.path.join(src, "lib.rs")).read(), re.M)
missing = sorted(set(declared) - set(ORDER))
if missing:
    print("modules missing from ORDER in sandbox/scripts/module-order.sh: " + ", ".join(missing))
    sys.exit(1)
order = ORDER
rank = {m: i for i, m in enumerate(order)}
bad = []
for mod in order:
    files = [os.path.join(src, mod + ".rs")]
    d = os.path.join(src, mod)
    if os.path.isdir(d):
        files += [os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs if f.endswith(".rs")]
    for path in files:
        if not os.path.exists(path):
            continue
        text = open(path).read()
        text = text.split("#[cfg(test)]\nmod tests", 1)[0]  # tests may use anything
        text = re.sub(r"//.*", "", text)  # doc links may point anywhere
        used = set(re.findall(r"crate::(\w+)", text))
        used |= {m for group in re.findall(r"crate::\{([^}]*)\}", text) for m in re.findall(r"\b(\w+)\b", group)}
        for u in sorted(used & rank.keys()):
            if rank[u] >= rank[mod]:
                bad.append(f"{os.path.relpath(path, src)}: {mod} uses {u}, which is not below it")
if bad:
    print("\n".join(bad))
    sys.exit(1)
print("module order ok: " + " < ".join(order))
PY
