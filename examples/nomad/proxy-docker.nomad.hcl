# examples/nomad/proxy-docker.nomad.hcl - the job of proxy.nomad.hcl with
# nomcast run by the docker driver, from nomcast's OCI image, instead of
# exec and the release tarball.  Everything else (Traefik, the group, the
# service and its check, the template that renders nomcast.ini) is the
# same: proxy.nomad.hcl explains it, and examples/nomad/README.md ("Which
# driver") says when to choose which.
#
# What differs, in the nomcast task:
#  - image "nomcast:0.1.0": load it on every client (docker load -i
#    nomcast-0.1.0-oci.tar) or push it to your registry and name it so.
#  - network_mode = "host": the VIP goes on the node's lo, the sessions
#    leave from the node's address, as with exec.
#  - The container runs as the image's user nomcast (uid 65532); its
#    nomcastd carries the file capabilities net_admin and
#    net_bind_service, which cap_add puts within reach.  Keep both in
#    cap_add even with listen = no: the kernel refuses to start a binary
#    whose file capabilities it cannot all grant.
#  - The docker plugin's default allow_caps lacks net_admin.  In each
#    client's agent configuration:
#      plugin "docker" {
#        config {
#          allow_caps = ["audit_write", "chown", "dac_override", "fowner",
#            "fsetid", "kill", "mknod", "net_bind_service", "setfcap",
#            "setgid", "setpcap", "setuid", "sys_chroot", "net_admin"]
#        }
#      }
#  - Inside the container the task's directories are /local, /alloc and
#    /secrets (NOMAD_TASK_DIR, NOMAD_ALLOC_DIR, NOMAD_SECRETS_DIR say so,
#    and NOMAD_UNIX_ADDR is unix:///secrets/api.sock), exactly as inside
#    exec's chroot: args, and the INI, are the same.
#  - nomcastctl is /usr/bin/nomcastctl in the image:
#      nomad alloc exec -task nomcast $A nomcastctl show services
#
# Before the first run (ACLs enabled), the same policy as for proxy.nomad.hcl:
#   nomad acl policy apply -namespace default -job proxy -group traefik \
#       -task nomcast nomcast-read examples/nomad/nomcast-policy.hcl
#   nomad job run examples/nomad/proxy-docker.nomad.hcl
#
# Every address here is a documentation address (RFC 5737, RFC 3849).

job "proxy" {
  type        = "system" # one Traefik and one nomcast on every eligible node
  datacenters = ["*"]
  namespace   = "default"

  meta {
    service_ip    = "203.0.113.10" # the floating address, announced as a /32
    local_asn     = "65001"        # the nodes' AS
    edge_asn      = "65000"        # the edge routers' AS
    edge_router_1 = "198.51.100.1" # peers: reachable from the node's address
    edge_router_2 = "198.51.100.2"
  }

  update {
    max_parallel = 1
    stagger      = "30s"
  }

  group "traefik" {
    shutdown_delay = "5s"

    network {
      mode = "host"

      port "http" {
        static = 80
      }
      port "https" {
        static = 443
      }
      port "ping" {
        static = 8080
      }
    }

    service {
      provider = "nomad"
      name     = "traefik"
      port     = "http"
      tags = [
        "traefik.enable=true",
        "traefik.http.routers.dashboard.rule=Host(`traefik.example.com`)",
        "traefik.http.routers.dashboard.service=api@internal",
      ]

      check {
        name     = "traefik-ping"
        type     = "http"
        port     = "ping"
        path     = "/ping"
        interval = "1s"
        timeout  = "1s"
      }
    }

    # Your Traefik task, as in proxy.nomad.hcl.
    task "traefik" {
      driver = "docker"

      identity {
        env         = true
        change_mode = "restart"
      }

      config {
        image        = "traefik:v3.2"
        network_mode = "host"
        args = [
          "--ping=true", # on the traefik entrypoint; 503 while stopping
          "--api.dashboard=true",
          "--metrics.prometheus=true",
          "--entrypoints.traefik.address=:${NOMAD_PORT_ping}",
          "--entrypoints.web.address=:${NOMAD_PORT_http}",
          "--entrypoints.websecure.address=:${NOMAD_PORT_https}",
          "--entrypoints.web.transport.lifecycle.gracetimeout=10s",
          "--entrypoints.websecure.transport.lifecycle.gracetimeout=10s",
          "--providers.nomad=true",
          "--providers.nomad.exposedByDefault=false",
          "--providers.nomad.refreshInterval=30s",
          "--providers.nomad.endpoint.address=unix://${NOMAD_SECRETS_DIR}/api.sock",
        ]
      }

      kill_timeout = "15s"

      resources {
        cpu    = 500
        memory = 256
      }
    }

    # nomcast, the sidecar, from its image (see the header).
    task "nomcast" {
      driver = "docker"

      lifecycle {
        hook    = "prestart"
        sidecar = true
      }

      identity {
        env = true
      }

      config {
        image        = "nomcast:0.1.0"
        network_mode = "host"
        # the image's command, said here in full; args is
        # ["-c", "/local/nomcast.ini"] in the container
        entrypoint = ["/usr/sbin/nomcastd"]
        args       = ["-c", "${NOMAD_TASK_DIR}/nomcast.ini"]
        cap_drop   = ["all"]
        cap_add    = ["net_admin", "net_bind_service"]
      }

      kill_signal  = "SIGTERM"
      kill_timeout = "10s"

      # The INI: the same template as in proxy.nomad.hcl, byte for byte.
      template {
        destination   = "local/nomcast.ini"
        change_mode   = "signal"
        change_signal = "SIGHUP" # a hitless reload, should it ever change
        data          = <<-EOH
          ; rendered by Nomad for alloc {{ env "NOMAD_ALLOC_ID" }}
          [global]
          asn = {{ env "NOMAD_META_local_asn" }}
          router-id = {{ env "attr.unique.network.ip-address" }}
          ; SIGTERM.  A restart of this task alone (nomad alloc restart
          ; -task nomcast, a new nomcastd binary, the restart policy) while
          ; Nomad still runs the alloc is a graceful restart: the routers
          ; keep the routes (graceful-restart below) and the next nomcastd
          ; confirms them with its first verdicts.  A stop of the alloc
          ; (Nomad deregistered traefik first, then shutdown_delay)
          ; withdraws: with 5 s of GRACEFUL_SHUTDOWN first if the route is
          ; somehow still announced.  nomcastd(8), "Graceful restart".
          shutdown-drain-time = 5s
          shutdown-message = nomcast on {{ env "node.unique.name" }} stopping
          ; control-socket: left unset, it is $NOMAD_ALLOC_DIR/nomcast.sock,
          ; where nomcastctl looks in nomad alloc exec.
          ; metrics-listen = 127.0.0.1:9179

          ; BFD (RFC 5880) with each router: a node that dies without a
          ; goodbye (power, panic, a cut link) leaves the router after 3 x
          ; 50 ms instead of the BGP hold time.  The router must run BFD
          ; for this neighbor too (BIRD 2: a "protocol bfd" and "bfd on"
          ; in the BGP protocol; FRR: "neighbor ... bfd").  A router that
          ; does not only sees one packet a second from here, and BGP
          ; runs as without it: BFD touches a session only once it has
          ; been Up.
          ; Graceful restart (RFC 4724) with each router: a planned
          ; restart of this task keeps the routes; BFD still removes a
          ; crashed or dead node at once (BIRD: "graceful restart on").
          ; restart-time: longer than a restart of this task takes.
          [peer edge1]
          address = {{ env "NOMAD_META_edge_router_1" }}
          asn = {{ env "NOMAD_META_edge_asn" }}
          bfd = yes
          bfd-interval = 50ms
          graceful-restart = yes
          restart-time = 30s

          [peer edge2]
          address = {{ env "NOMAD_META_edge_router_2" }}
          asn = {{ env "NOMAD_META_edge_asn" }}
          bfd = yes
          bfd-interval = 50ms
          graceful-restart = yes
          restart-time = 30s

          [service web]
          prefix = {{ env "NOMAD_META_service_ip" }}/32
          ; Nomad: this alloc's "traefik" registered and its checks passing
          nomad-service = traefik
          nomad-checks = all
          ; local: sub-second, and at once when Traefik dies
          checks = ping, proxy
          vip-interface = lo
          ; nomcastctl drain web: GRACEFUL_SHUTDOWN this long, then withdraw
          drain-time = 30s

          [check ping]
          type = http
          url = http://127.0.0.1:{{ env "NOMAD_PORT_ping" }}/ping
          interval = 200ms
          timeout = 150ms
          rise = 2
          fall = 1

          [check proxy]
          type = watch
          target = 127.0.0.1:{{ env "NOMAD_PORT_ping" }}
          interval = 1s

          [nomad]
          ; address, token, namespace and alloc-id: from the environment
          check-interval = 500ms
          wait = 60s
          ; a check re-registered as pending (a job update, a Nomad
          ; upgrade) keeps its last result this long at most
          grace = 15s
          ; on-outage = hold (the default): while the agent or Nomad's
          ; servers give no answers, the last Nomad state holds and the
          ; local checks above decide
        EOH
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
