// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include "check.h"
#include "cgnames.h"

static const char *label(const char *path)
{
	static char out[80];

	cgroup_label(path, out, sizeof(out));
	return out;
}

int main(void)
{
	const char *id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char path[256];

	CHECK_STR(label("/system.slice/docker-0123456789abcdef0123.scope"), "docker:0123456789ab");
	CHECK_STR(label("/kubepods.slice/kubepods-pod1.slice/cri-containerd-fedcba9876543210.scope"),
		  "containerd:fedcba987654");
	CHECK_STR(label("/machine.slice/libpod-aaaabbbbccccdddd.scope"), "podman:aaaabbbbcccc");
	CHECK_STR(label("/kubepods/crio-1111222233334444.scope"), "cri-o:111122223333");
	snprintf(path, sizeof(path), "/docker/%s", id);
	CHECK_STR(label(path), "docker:0123456789ab");
	CHECK_STR(label("/system.slice/nginx.service"), "systemd:nginx.service");
	CHECK_STR(label("/user.slice/user-0.slice/session-3.scope"), "/user.slice/user-0.slice/session-3.scope");
	CHECK_STR(label(""), "/");
	/* Not a container id: a directory that only looks like one. */
	CHECK_STR(label("/docker-x"), "/docker-x");
	CHECK(cgnames_get(NULL, 1) == NULL);
	return check_done("cgnames");
}
