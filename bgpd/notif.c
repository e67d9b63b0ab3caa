/*
 * notif.c - names of NOTIFICATION codes and subcodes; see notif.h.
 *
 * Spelled as in RFC 4271 4.5 and the IANA "BGP Error (Notification)
 * Codes" and subcode registries, so a log line can be grepped against
 * the RFC text.
 */
#include "bgpd/notif.h"

#include <stddef.h>

#define NOTIF_UNKNOWN	"Unknown"

struct notif_name {
	uint8_t		 code;
	uint8_t		 subcode;
	const char	*name;
};

static const struct notif_name notif_subcodes[] = {
	{ NOTIF_HEADER, NOTIF_HEADER_NOT_SYNCHRONIZED,
	    "Connection Not Synchronized" },
	{ NOTIF_HEADER, NOTIF_HEADER_BAD_LENGTH, "Bad Message Length" },
	{ NOTIF_HEADER, NOTIF_HEADER_BAD_TYPE, "Bad Message Type" },

	{ NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC, "Unspecific" },
	{ NOTIF_OPEN, NOTIF_OPEN_UNSUPPORTED_VERSION,
	    "Unsupported Version Number" },
	{ NOTIF_OPEN, NOTIF_OPEN_BAD_PEER_AS, "Bad Peer AS" },
	{ NOTIF_OPEN, NOTIF_OPEN_BAD_BGP_ID, "Bad BGP Identifier" },
	{ NOTIF_OPEN, NOTIF_OPEN_UNSUPPORTED_OPT_PARAM,
	    "Unsupported Optional Parameter" },
	{ NOTIF_OPEN, NOTIF_OPEN_UNACCEPTABLE_HOLD_TIME,
	    "Unacceptable Hold Time" },
	{ NOTIF_OPEN, NOTIF_OPEN_UNSUPPORTED_CAPABILITY,
	    "Unsupported Capability" },
	{ NOTIF_OPEN, NOTIF_OPEN_ROLE_MISMATCH, "Role Mismatch" },

	{ NOTIF_UPDATE, NOTIF_UPDATE_MALFORMED_ATTR_LIST,
	    "Malformed Attribute List" },
	{ NOTIF_UPDATE, NOTIF_UPDATE_UNRECOGNIZED_WELLKNOWN,
	    "Unrecognized Well-known Attribute" },
	{ NOTIF_UPDATE, NOTIF_UPDATE_MISSING_WELLKNOWN,
	    "Missing Well-known Attribute" },
	{ NOTIF_UPDATE, NOTIF_UPDATE_ATTR_FLAGS, "Attribute Flags Error" },
	{ NOTIF_UPDATE, NOTIF_UPDATE_ATTR_LENGTH, "Attribute Length Error" },
	{ NOTIF_UPDATE, NOTIF_UPDATE_INVALID_ORIGIN,
	    "Invalid ORIGIN Attribute" },
	{ NOTIF_UPDATE, NOTIF_UPDATE_INVALID_NEXT_HOP,
	    "Invalid NEXT_HOP Attribute" },
	{ NOTIF_UPDATE, NOTIF_UPDATE_OPTIONAL_ATTR,
	    "Optional Attribute Error" },
	{ NOTIF_UPDATE, NOTIF_UPDATE_INVALID_NETWORK, "Invalid Network Field" },
	{ NOTIF_UPDATE, NOTIF_UPDATE_MALFORMED_AS_PATH, "Malformed AS_PATH" },

	/* RFC 6608 3 */
	{ NOTIF_FSM, NOTIF_FSM_UNSPECIFIED, "Unspecified Error" },
	{ NOTIF_FSM, NOTIF_FSM_UNEXPECTED_IN_OPENSENT,
	    "Receive Unexpected Message in OpenSent State" },
	{ NOTIF_FSM, NOTIF_FSM_UNEXPECTED_IN_OPENCONFIRM,
	    "Receive Unexpected Message in OpenConfirm State" },
	{ NOTIF_FSM, NOTIF_FSM_UNEXPECTED_IN_ESTABLISHED,
	    "Receive Unexpected Message in Established State" },

	/* RFC 4486 3, RFC 9003, RFC 8538, RFC 9384 */
	{ NOTIF_CEASE, NOTIF_CEASE_MAX_PREFIXES,
	    "Maximum Number of Prefixes Reached" },
	{ NOTIF_CEASE, NOTIF_CEASE_ADMIN_SHUTDOWN, "Administrative Shutdown" },
	{ NOTIF_CEASE, NOTIF_CEASE_PEER_DECONFIGURED, "Peer De-configured" },
	{ NOTIF_CEASE, NOTIF_CEASE_ADMIN_RESET, "Administrative Reset" },
	{ NOTIF_CEASE, NOTIF_CEASE_CONNECTION_REJECTED, "Connection Rejected" },
	{ NOTIF_CEASE, NOTIF_CEASE_OTHER_CONFIG_CHANGE,
	    "Other Configuration Change" },
	{ NOTIF_CEASE, NOTIF_CEASE_COLLISION_RESOLUTION,
	    "Connection Collision Resolution" },
	{ NOTIF_CEASE, NOTIF_CEASE_OUT_OF_RESOURCES, "Out of Resources" },
	{ NOTIF_CEASE, NOTIF_CEASE_HARD_RESET, "Hard Reset" },
	{ NOTIF_CEASE, NOTIF_CEASE_BFD_DOWN, "BFD Down" },

	/* RFC 7313 5 */
	{ NOTIF_ROUTE_REFRESH, NOTIF_RR_INVALID_LENGTH,
	    "Invalid Message Length" },
};

const char *
notif_code_name(uint8_t code)
{
	switch (code) {
	case NOTIF_HEADER:
		return "Message Header Error";
	case NOTIF_OPEN:
		return "OPEN Message Error";
	case NOTIF_UPDATE:
		return "UPDATE Message Error";
	case NOTIF_HOLD_TIMER:
		return "Hold Timer Expired";
	case NOTIF_FSM:
		return "Finite State Machine Error";
	case NOTIF_CEASE:
		return "Cease";
	case NOTIF_ROUTE_REFRESH:
		return "ROUTE-REFRESH Message Error";
	case NOTIF_SEND_HOLD_TIMER:
		return "Send Hold Timer Expired";
	default:
		return NOTIF_UNKNOWN;
	}
}

const char *
notif_subcode_name(uint8_t code, uint8_t subcode)
{
	size_t i;

	for (i = 0; i < sizeof(notif_subcodes) / sizeof(notif_subcodes[0]);
	    i++)
		if (notif_subcodes[i].code == code &&
		    notif_subcodes[i].subcode == subcode)
			return notif_subcodes[i].name;
	/*
	 * RFC 4271 4.5: codes without subcodes of their own (Hold Timer
	 * Expired, and Cease or UPDATE without a specific reason) send 0.
	 */
	if (subcode == 0 && code >= NOTIF_HEADER && code <= NOTIF_SEND_HOLD_TIMER)
		return "Unspecific";
	return NOTIF_UNKNOWN;
}
