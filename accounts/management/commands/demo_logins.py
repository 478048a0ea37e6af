import os

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, demo_citizen, demo_logins, demo_tokens


class Command(BaseCommand):
    help = "打印访问地址、演示账号和 API 令牌（从数据库读取）/ Print the URL, demo logins and API token."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            help="服务地址，默认 http://$HOST:$PORT/ / where the server listens (default http://$HOST:$PORT/)",
        )

    def handle(self, *args, base_url=None, **options):
        if not base_url:
            base_url = f"http://{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}/"
        url = base_url.rstrip("/")
        write = self.stdout.write
        write("")
        write(f"==> 矛调中心 / Mediation center: {url}/   (Ctrl-C 停止 / to stop)")
        write(f"    API 文档 / API docs: {url}/api/docs/   群众门户 / citizen portal: {url}/portal/")
        logins = demo_logins()
        if logins:
            write(
                f"==> 演示账号 / Demo logins at {url}/accounts/login/ — 密码 / password for all: {DEMO_PASSWORD}"
            )
            width = max(len(username) for username, *_ in logins)
            for username, display, role, center in logins:
                write(f"    {username:<{width}}  {display}  {role}  {center}")
        else:
            write("==> 数据库中没有演示账号。/ No demo logins in this database.")
        citizen = demo_citizen()
        if citizen is not None:
            write(
                f"    群众 / citizen ({citizen.display_name}): {url}/portal/sign-in/ 手机号 / phone {citizen.phone}，"
                "验证码打印在服务器控制台 / the SMS code is printed in the server's log"
            )
        for name, token in demo_tokens():
            write(f"==> {name} API 令牌 / API token: {token}")
            write(f"    curl -H 'Authorization: Token {token}' {url}/api/open311/v2/requests.json")
        write("")
