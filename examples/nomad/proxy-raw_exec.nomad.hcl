# examples/nomad/proxy-raw_exec.nomad.hcl - the job of proxy.nomad.hcl
# with nomcast run by the raw_exec driver, from the Debian package nomcast
# installed on every client, instead of exec and the release tarball.
# Everything else (Traefik, the group, the service and its check, the
# template that renders nomcast.ini) is the same: proxy.nomad.hcl explains
# it, and examples/nomad/README.md ("Which driver") says when to choose
# which.
#
# What differs, in the nomcast task:
#  - raw_exec isolates nothing: nomcastd runs as the Nomad agent's user,
#    root on a usual client, with EVERY capability, no chroot and no
#    limit on what it can read or write on the host.  cap_add, cap_drop
#    and allow_caps do not apply.  Use it only where exec is unavailable.
#  - The binary is the package's /usr/sbin/nomcastd: install the package
#    nomcast on every client that can run the job.  It and nomcastctl
#    (/usr/bin/nomcastctl) are the host's, and upgrade with it.
#  - The driver is off by default; enable it in each client's agent
#    configuration:
#      plugin "raw_exec" {
#        config {
#          enabled = true
#        }
#      }
#  - NOMAD_TASK_DIR, NOMAD_ALLOC_DIR and NOMAD_SECRETS_DIR are the host's
#    paths under the client's data_dir (no chroot): args and the INI use
#    them through the environment, and are the same as in proxy.nomad.hcl.
#
# Before the first run (ACLs enabled), the same policy as for proxy.nomad.hcl:
#   nomad acl policy apply -namespace default -job proxy -group traefik \
#       -task nomcast nomcast-read examples/nomad/nomcast-policy.hcl
#   nomad job run examples/nomad/proxy-raw_exec.nomad.hcl
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

    # nomcast, the sidecar, from the host's package (see the header):
    # root, every capability.
    task "nomcast" {
      driver = "raw_exec"

      lifecycle {
        hook    = "prestart"
        sidecar = true
      }

      identity {
        env = true
      }

      config {
        command = "/usr/sbin/nomcastd"
        args    = ["-c", "${NOMAD_TASK_DIR}/nomcast.ini"]
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
