#!/usr/bin/env python3
"""Two models in one service process, each under load from its own client: CPU time per model and threads busy.

Starts the built service (CornerNet.Service.dll) with two models, "a" and "b" (the same architecture and weights),
with InferenceThreads per model as given, then runs one closed-loop HTTP client per model for --seconds and reads the
CPU time of every thread of the process from /proc/PID/task/*/stat. Each model's batches run on a thread named "m:a" or
"m:b"; the OpenMP threads it starts inherit that name, so the CPU time groups by model. Prints one JSON line.

  python3 tools/scripts/measure_model_threads.py --dll tests/CornerNet.Service.Tests/bin/Release/net10.0/CornerNet.Service.dll --threads 1
"""
import argparse, json, os, socket, subprocess, threading, time, urllib.request

TICKS = os.sysconf("SC_CLK_TCK")


def threads_cpu(pid):
    """{tid: (name, cpu seconds)} of every thread of the process."""
    result = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except FileNotFoundError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        result[tid] = (name, (int(fields[11]) + int(fields[12])) / TICKS)
    return result


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, body, boundary):
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dll", required=True)
    parser.add_argument("--threads", type=int, nargs=2, default=[1, 1], help="InferenceThreads of a and b (0: libtorch's default)")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--image", default="models/squeeze-demo-loss-curve.png")  # 960x540
    parser.add_argument("--architecture", default="models/demo.json")
    parser.add_argument("--weights", default="models/demo.pth")
    args = parser.parse_args()

    port = free_port()
    env = dict(os.environ)
    for name, threads in zip("ab", args.threads):
        env[f"Models__{name}__Architecture"] = args.architecture
        env[f"Models__{name}__Weights"] = args.weights
        env[f"Models__{name}__Device"] = "cpu"
        env[f"Models__{name}__InferenceThreads"] = str(threads)
        env[f"Models__{name}__MeasureBatchSizes"] = "false"
    env["Detection__DefaultModel"] = "a"
    env["ModelReload__WatchFiles"] = "false"
    env["Serilog__MinimumLevel__Default"] = "Warning"
    service = subprocess.Popen(["dotnet", args.dll, "--urls", f"http://127.0.0.1:{port}"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/health/ready", timeout=5) as r:
                    if r.status == 200:
                        break
            except Exception:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        models = {m["name"]: m for m in json.loads(urllib.request.urlopen(base + "/models").read())["models"]}
        threads_in_use = {n: json.loads(urllib.request.urlopen(f"{base}/models/{n}").read())["inferenceThreadsInUse"] for n in models}

        boundary = "measurethreads"
        with open(args.image, "rb") as f:
            image = f.read()
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"i.jpg\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + image + f"\r\n--{boundary}--\r\n".encode()
        for name in "ab":  # one warm request each, outside the measurement
            post(f"{base}/detect?model={name}", body, boundary)

        stop = threading.Event()
        counts = {"a": 0, "b": 0}

        def client(name):
            while not stop.is_set():
                post(f"{base}/detect?model={name}", body, boundary)
                counts[name] += 1

        load_before = os.getloadavg()
        before = threads_cpu(service.pid)
        started = time.time()
        clients = [threading.Thread(target=client, args=(n,)) for n in "ab"]
        for c in clients:
            c.start()
        time.sleep(args.seconds)
        stop.set()
        for c in clients:
            c.join()
        elapsed = time.time() - started
        after = threads_cpu(service.pid)
        load_after = os.getloadavg()

        by_model = {}
        for tid, (name, cpu) in after.items():
            used = cpu - before.get(tid, (name, 0.0))[1]
            group = name if name.startswith(("m:", "r:")) else "other"
            entry = by_model.setdefault(group, {"cpu_s": 0.0, "threads": 0, "busy_threads": 0})
            entry["cpu_s"] += used
            entry["threads"] += 1
            entry["busy_threads"] += used > 0.05 * elapsed
        for entry in by_model.values():
            entry["cpu_s"] = round(entry["cpu_s"], 2)
            entry["cores"] = round(entry["cpu_s"] / elapsed, 2)
        print(json.dumps({
            "threads_configured": dict(zip("ab", args.threads)),
            "threads_in_use": threads_in_use,
            "seconds": round(elapsed, 1),
            "requests": counts,
            "per_second": {n: round(c / elapsed, 2) for n, c in counts.items()},
            "cpu_by_thread_group": by_model,
            "process_cpu_s": round(sum(e["cpu_s"] for e in by_model.values()), 2),
            "loadavg_before": load_before,
            "loadavg_after": load_after,
            "processors": os.cpu_count(),
        }))
    finally:
        service.terminate()
        service.wait(timeout=60)


if __name__ == "__main__":
    main()
