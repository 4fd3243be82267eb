"""Real servers for the remote-store tests and the remote benchmark, started
and stopped by the caller, listening on 127.0.0.1 only:

- ``NginxServer``: Debian's nginx serving a directory, with byte ranges and
  autoindex listings, and an access log that counts the requests served;
- ``MotoServer``: moto in server mode (the S3 API), either open (anonymous
  requests allowed, signatures not checked) or enforcing IAM authentication,
  where moto recomputes and checks every SigV4 signature.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listened on port {port} within {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class NginxServer:
    """nginx serving ``root`` at ``url``; paths under /forbidden/ answer 403,
    directories under /nolist/ have no index page."""

    def __init__(self, root: Path, workers: int = 1, tls: tuple[Path, Path] | None = None):
        self.root = Path(root).resolve()
        self.dir = Path(tempfile.mkdtemp(prefix="geobatch-nginx-"))
        self.port = free_port()
        temps = "\n".join(f"  {t}_temp_path {self.dir / t};" for t in
                          ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        user = "user root;\n" if os.geteuid() == 0 else ""
        listen = f"127.0.0.1:{self.port}"
        if tls:
            listen += f" ssl;\n    ssl_certificate {tls[0]};\n    ssl_certificate_key {tls[1]}"
        (self.dir / "nginx.conf").write_text(f"""{user}daemon off;
worker_processes {workers};
pid {self.dir / 'nginx.pid'};
error_log {self.dir / 'error.log'} warn;
events {{ worker_connections 4096; }}
http {{
  log_format counted '$request_method $uri $status $body_bytes_sent';
  access_log {self.dir / 'access.log'} counted;
{temps}
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  types {{ application/json json; }}
  default_type application/octet-stream;
  server {{
    listen {listen};
    root {self.root};
    autoindex on;
    location /forbidden/ {{ return 403; }}
    location /nolist/ {{ autoindex off; }}
  }}
}}
""")
        self.proc = subprocess.Popen(
            ["nginx", "-p", f"{self.dir}/", "-c", str(self.dir / "nginx.conf"), "-e", str(self.dir / "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_port(self.port, self.proc)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests(self) -> list[str]:
        """Every request served so far, as 'METHOD URI STATUS BYTES' lines."""
        time.sleep(0.05)  # nginx logs a request just after answering it
        log = self.dir / "access.log"
        return log.read_text().splitlines() if log.exists() else []

    def close(self) -> None:
        stop(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)


class MotoServer:
    """moto's S3 API at ``endpoint``. With ``authenticated``, IAM is enforced:
    the first three actions (create a user, give it a policy, make its keys)
    pass unauthenticated, everything after must be correctly signed, and the
    user's keys are ``access_key`` / ``secret_key``."""

    def __init__(self, authenticated: bool = False):
        self.port = free_port()
        env = dict(os.environ)
        for name in [n for n in env if n.startswith("AWS_")]:
            del env[name]
        env["MOTO_PORT"] = str(self.port)
        if authenticated:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.proc)
        self.access_key, self.secret_key = "open", "open"
        if authenticated:
            iam = self._client("iam", "bootstrap", "bootstrap")
            iam.create_user(UserName="geobatch")
            iam.put_user_policy(UserName="geobatch", PolicyName="all", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
            key = iam.create_access_key(UserName="geobatch")["AccessKey"]
            self.access_key, self.secret_key = key["AccessKeyId"], key["SecretAccessKey"]
        self.s3 = self._client("s3", self.access_key, self.secret_key)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _client(self, service: str, key: str, secret: str):
        import boto3
        from botocore.config import Config
        return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=key, aws_secret_access_key=secret,
                            config=Config(retries={"max_attempts": 0}, max_pool_connections=32))

    def make_public(self, bucket: str) -> None:
        """Lets anyone read and list ``bucket`` (a bucket policy, as on AWS)."""
        self.s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"],
                           "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}]}))

    def upload_tree(self, bucket: str, root: Path, prefix: str = "") -> int:
        """Uploads every file below ``root`` to ``bucket`` under ``prefix``."""
        from concurrent.futures import ThreadPoolExecutor
        files = [p for p in Path(root).rglob("*") if p.is_file()]

        def put(path: Path):
            key = prefix + path.relative_to(root).as_posix()
            self.s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(put, files))
        return len(files)

    def close(self) -> None:
        stop(self.proc)
        self.log.close()
