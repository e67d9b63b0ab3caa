# examples/nomad/proxy-floating.nomad.hcl - the floating shape: ONE
# Traefik with nomcast beside it (a service job, count = 1), which Nomad
# moves to another node when its node fails, drains or is upgraded,
# instead of proxy.nomad.hcl's Traefik on every node.  The group, the
# service and its check, both tasks and the template that renders
# nomcast.ini are those of proxy.nomad.hcl (exec driver, the release
# tarball as an artifact): that file explains them.  What differs is the
# job's type and count and the blocks that decide how the one
# allocation moves: reschedule, disconnect, update, migrate, constraint.
# "Which shape" in examples/nomad/README.md compares the two shapes
# (failover times, capacity, drains, upgrades, BFD, graceful restart);
# scripts/demo --floating shows this one moving.
#
# Nomad 1.8.0 or later: the disconnect block came with 1.8.0 (before it,
# the group's max_client_disconnect and stop_after_client_disconnect,
# deprecated since).
#
# Before the first run: the checksum and the exec plugin's allow_caps as
# in proxy.nomad.hcl, and (ACLs enabled) the same policy:
#   nomad acl policy apply -namespace default -job proxy -group traefik \
#       -task nomcast nomcast-read examples/nomad/nomcast-policy.hcl
#   nomad job run examples/nomad/proxy-floating.nomad.hcl
# It is the job "proxy" too: run this one or proxy.nomad.hcl, not both.
#
# Every address here is a documentation address (RFC 5737, RFC 3849):
# replace them with yours in the meta block.

job "proxy" {
  type        = "service" # one Traefik and one nomcast, somewhere
  datacenters = ["*"]
  namespace   = "default"

  # What the nomcast template below reads (as NOMAD_META_<key>).  Edit here.
  meta {
    service_ip    = "203.0.113.10" # the floating address, announced as a /32
    local_asn     = "65001"        # the nodes' AS
    edge_asn      = "65000"        # the edge routers' AS
    edge_router_1 = "198.51.100.1" # peers: reachable from the node's address
    edge_router_2 = "198.51.100.2"
  }

  # New before old.  An update (a new Traefik image, a new nomcast
  # release, any change that replaces the alloc) first places a canary,
  # on another node (the static ports and distinct_hosts below keep it
  # off the old one): its nomcast announces the address as soon as its
  # Traefik passes, so for a moment both nodes announce and the routers
  # spread the traffic over both (scripts/demo --floating measured about
  # 1 s of overlap, 0 failed requests).  Once the canary's checks have
  # passed for min_healthy_time Nomad promotes it (auto_promote) and
  # stops the old alloc, which withdraws first (shutdown_delay below).
  # A canary that does not become healthy within healthy_deadline fails
  # the deployment, and auto_revert rolls the job back to the last good
  # version; the old alloc kept announcing throughout.
  update {
    max_parallel      = 1
    canary            = 1
    auto_promote      = true
    auto_revert       = true
    min_healthy_time  = "5s"
    healthy_deadline  = "2m"
    progress_deadline = "5m"
  }

  group "traefik" {
    count = 1

    # Nowhere twice: with count = 1 this only keeps a canary off the old
    # alloc's node (which its static ports do as well); it matters with
    # count = 2 (below).
    constraint {
      distinct_hosts = true
    }

    # Count = 2: two announcers, two nodes' capacity, and a failover with
    # no gap (the other one is already announced).  Set count = 2 and
    # keep distinct_hosts.  Both announce the same route with the same
    # attributes: the routers spread the traffic over both (ECMP, with
    # multipath on).  For active/backup instead, make one route worse:
    # in [service web] of the template add
    #   med = {{ env "NOMAD_ALLOC_INDEX" }}
    # (MULTI_EXIT_DISC 0 from alloc index 0, 1 from index 1; both nodes
    # are in the same AS, so the routers compare MED and prefer 0) and
    # leave multipath aside.  on-down = degrade with degrade-med is not
    # that: it keeps a service that is DOWN announced as a last resort,
    # it does not make a healthy one the backup.  nomcast.ini(5) has the
    # keys.  With count = 2 a drain no longer leaves a gap (the other
    # alloc serves), which is the simplest answer to the migrate note
    # below.

    # A failed alloc (Traefik or nomcast dead for good, the restart
    # policy used up) moves to another node after 5 s, every time: a
    # floating address with no proxy behind it is an outage, so never
    # give up, and no growing backoff.
    reschedule {
      unlimited      = true
      delay          = "5s"
      delay_function = "constant"
    }

    # A node that stops heartbeating to the servers.  Nomad's servers
    # mark it down after its heartbeat TTL (min_heartbeat_ttl, 10 s by
    # default, more with many nodes, plus a random stagger) and
    # heartbeat_grace (10 s by default), and replace its alloc at once
    # (replace = true, the default said aloud).  That much is Nomad's
    # defaults; the servers' configuration decides.
    #
    # If the node is really dead, BFD has long withdrawn its route (3 x
    # 50 ms) and nothing else is needed.  But a node cut off from the
    # servers only may still reach the routers: its Traefik keeps
    # serving, and its nomcast keeps announcing (on-outage = hold: a
    # control-plane outage is not read as a failure).  Then two nodes
    # announce, the cut-off one and the replacement: ECMP over two
    # working proxies, which anycast tolerates, until the partition
    # heals and the servers stop the old alloc.
    #
    # No stop_on_client_after, on purpose.  It would end that double
    # announcement, but a client stops its allocs on it whenever it has
    # not reached the servers for that long, and a servers' outage (a
    # lost quorum, an upgrade of every server, a long leader election)
    # reaches every client at once: the one proxy of this job would stop
    # on a healthy node, and nothing could replace it until the servers
    # are back.  An event that hits every node together must not take
    # the address down; two announcers for the length of a partition
    # cost nothing comparable.  (lost_after, which keeps a cut-off alloc
    # "unknown" instead of lost, changes only what happens when the node
    # comes back; leave it unset.)
    disconnect {
      replace = true
    }


    # A drain (nomad node drain) of a count = 1 job STOPS the old alloc
    # before the new one is placed and started: for a few seconds nothing
    # announces the address (scripts/demo --floating, step 2: 4.5 to 4.8 s
    # = shutdown_delay 2 s + placement 0.6 s + start to announce 2 s).
    # migrate cannot change that order.  The workarounds: before a drain
    # scale to two (nomad job scale proxy traefik 2), wait until the
    # second alloc announces, drain, scale back to one; or leave moves
    # that can be planned to job updates, whose canary comes up first
    # (update above).
    migrate {
      max_parallel     = 1
      health_check     = "checks"
      min_healthy_time = "5s"
      healthy_deadline = "2m"
    }

    # A planned stop or a redeploy of this alloc, in Nomad's order:
    #  1. Nomad deregisters the group service "traefik" (before any task is
    #     told to stop); nomcast's blocking query on /v1/service/traefik
    #     returns at once and it withdraws the route, milliseconds later;
    #  2. Nomad waits shutdown_delay: the routers move the traffic to the
    #     other nodes while this Traefik still serves whatever still
    #     arrives here;
    #  3. Traefik gets its kill signal and finishes in-flight requests
    #     (kill_timeout below);
    #  4. once Traefik has exited, the sidecar nomcast gets SIGTERM, closes
    #     its sessions with Cease/Administrative Shutdown, removes the VIP
    #     from lo, and exits.
    # So no new connection is sent to a Traefik that is going away.  Make
    # it longer than your routers need to withdraw the route everywhere.
    # In this shape nothing else may be announcing meanwhile (a
    # reschedule, a drain): the delay then adds to the gap, so it is
    # shorter than in proxy.nomad.hcl.  After a canary's promotion the
    # canary carries the traffic during it.
    shutdown_delay = "2s"

    network {
      # Host networking: nomcast peers from the node's own address, puts
      # the VIP on the node's lo, and Traefik (listening on all addresses)
      # serves it.  examples/nomad/README.md describes the bridge-mode variant.
      mode = "host"

      port "http" {
        static = 80
      }
      port "https" {
        static = 443
      }
      # Traefik's "traefik" entrypoint: dashboard, metrics and /ping
      port "ping" {
        static = 8080
      }
    }

    # Group-level Nomad-native service: registered before any task starts,
    # deregistered before any task is stopped (step 1 above).  nomcast
    # watches this alloc's instance of it (nomad-service = traefik).
    service {
      provider = "nomad"
      name     = "traefik"
      port     = "http"
      tags = [
        "traefik.enable=true",
        "traefik.http.routers.dashboard.rule=Host(`traefik.example.com`)",
        "traefik.http.routers.dashboard.service=api@internal",
      ]

      # Nomad runs it every interval (1s at best) and nomcast fetches the
      # result every check-interval; the local checks in the template
      # react faster.  http and tcp are the only types the Nomad provider
      # runs; on_update is left at "require_healthy" so that it counts.
      # A change here is an in-place update of every alloc at once: the
      # check restarts as pending, and nomcast keeps its last result for
      # at most grace ([nomad] below), which must exceed interval/2 plus
      # timeout plus check-interval.
      check {
        name     = "traefik-ping"
        type     = "http"
        port     = "ping"
        path     = "/ping"
        interval = "1s"
        timeout  = "1s"
      }
    }

    # Your Traefik task, as it was; only its network changes to the host.
    task "traefik" {
      driver = "docker"

      # Traefik's Nomad provider reads the catalog through the Task API.
      # change_mode in this block needs Nomad 1.7.0.
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

      # Your template blocks (the file provider's YAML, the certificate
      # and key from the Nomad variable nomad/jobs/proxy) stay as they are.

      # Longer than the graceful shutdown above (gracetimeout).
      kill_timeout = "15s"

      resources {
        cpu    = 500
        memory = 256
      }
    }

    # nomcast, the sidecar: started before Traefik and kept running beside
    # it for the alloc's whole life (and stopped after it).
    #
    # Driver: exec, with nomcast's release tarball, which Nomad fetches
    # (the artifact block below): the recommended way.  The same job with
    # the docker driver and nomcast's image is proxy-docker.nomad.hcl, with
    # raw_exec and the Debian package proxy-raw_exec.nomad.hcl; "Which
    # driver" in examples/nomad/README.md compares the three.
    #
    # nomcastd runs as nobody in a chroot, in the host's network
    # namespace, with exactly two capabilities: NET_ADMIN to put the VIP
    # on lo, and NET_BIND_SERVICE to accept the routers' connections on
    # port 179.  nomcast connects to every peer itself (unless a [peer] is
    # passive), so with listen = no in [global] the second can go; so must
    # it if the node already runs a BGP daemon on port 179.  The clients'
    # exec plugin must allow NET_ADMIN, which its default allow_caps does
    # not:
    #   plugin "exec" {
    #     config {
    #       allow_caps = ["audit_write", "chown", "dac_override", "fowner",
    #         "fsetid", "kill", "mknod", "net_bind_service", "setfcap",
    #         "setgid", "setpcap", "setuid", "sys_chroot", "net_admin"]
    #     }
    #   }
    # The tarball links most of its libraries in; the rest come from the
    # host's /usr and /lib, which the exec driver copies into the chroot:
    # libc, libcurl4 (libcurl4t64 on Ubuntu 24.04), libssl3 and
    # libgnutls30 must be installed on every client.
    task "nomcast" {
      driver = "exec"
      user   = "nobody"

      lifecycle {
        hook    = "prestart"
        sidecar = true
      }

      # The task's default workload identity as NOMAD_TOKEN (Nomad 1.10.3
      # and later also set NOMAD_UNIX_ADDR to its Task API socket; before
      # that nomcast finds ${NOMAD_SECRETS_DIR}/api.sock): the [nomad]
      # section needs no address and no token.  Reading the check results
      # also needs examples/nomad/nomcast-policy.hcl attached to this task.
      identity {
        env = true
      }

      # The release tarball, downloaded into local/ and unpacked there
      # (to local/nomcast-0.1.0-linux-amd64/) before the task starts.
      # checksum: REPLACE the placeholder with the tarball's sha256 from
      # the release's SHA256SUMS.  The placeholder is not hexadecimal, so
      # Nomad refuses the job ("invalid checksum") at nomad job validate,
      # plan or run until you do: it fails safe.  Do not remove the
      # option (Nomad would run whatever the URL serves), and put no
      # ${...} in it (Nomad does not check such a value when the job is
      # submitted).  For another release, change the version in the
      # source (twice) and in command below.
      artifact {
        source      = "https://releases.example.com/nomcast/0.1.0/nomcast-0.1.0-linux-amd64.tar.gz"
        destination = "local/"
        options {
          checksum = "sha256:REPLACE-ME-with-the-sha256-of-the-tarball-from-SHA256SUMS"
        }
      }

      config {
        # relative to the task directory; /local/... inside the chroot
        command  = "local/nomcast-0.1.0-linux-amd64/nomcastd"
        args     = ["-c", "${NOMAD_TASK_DIR}/nomcast.ini"]
        cap_drop = ["all"]
        cap_add  = ["net_admin", "net_bind_service"]
      }

      # SIGTERM: a graceful restart takes at most 2 s (Nomad asked about
      # the alloc, BFD slowed down); a stop drains for shutdown-drain-time
      # (if anything is still announced), withdraws, and sends Cease:
      # both well within this.
      kill_signal  = "SIGTERM"
      kill_timeout = "10s"

      # The INI, rendered when the task starts.  Only {{ env "..." }} is
      # used (task environment, job meta, node attributes), so that
      # tests/integ/nomad_job.sh can render it the same way and run
      # nomcastd -t on it.  No HCL ${...} inside: HCL would expand it.
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
