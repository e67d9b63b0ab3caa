# examples/nomad/nomcast-policy.hcl - the least the nomcast sidecar needs from Nomad.
#
# Attach it to the nomcast task's workload identity (it applies to that
# task only; leaving out -task, -group or -job widens it to the group, the
# job or the whole namespace):
#
#   nomad acl policy apply -namespace default -job proxy -group traefik \
#       -task nomcast nomcast-read examples/nomad/nomcast-policy.hcl
#
# What nomcastd asks the agent, over the Task API socket, and what each
# request needs (nomad-api notes, section 6):
#   GET /v1/service/traefik?stale=true&filter=AllocID==...
#       (the registration, a blocking query)
#       -> nothing: any workload identity may read the services of its
#          own namespace
#   GET /v1/client/allocation/<alloc>/checks?stale=true (the check results)
#       -> namespace read-job, on the alloc's namespace: this policy.
#          Without it the agent answers 403 "Permission denied" and
#          nomcastd logs that with a hint naming this file.  A new
#          allocation is then never announced; one that was announced
#          keeps its last Nomad state under on-outage = hold (the default,
#          since a policy change reaches every node at once), or is
#          withdrawn after [nomad] grace under on-outage = withdraw.
#   GET /v1/allocation/<alloc> (once, at SIGTERM, with graceful-restart:
#       is the alloc stopping?)
#       -> namespace read-job too.  Without it the answer is an error and
#          the exit is a plain one (withdraw), never a graceful restart.
#
# With ACLs disabled nothing needs to be applied, but the Task API socket
# still wants the token: keep identity { env = true } in the task.
#
# If the job runs in another namespace, change the label below and
# -namespace above to match.  policy = "read" would work as well, and
# grant every other read capability of the namespace too: no need.

namespace "default" {
  capabilities = ["read-job"]
}
