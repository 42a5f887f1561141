# veth.sh - sourced by the live tests and bench scripts (POSIX sh).
#
# veth_pair NS_A IF_A NS_B IF_B: a veth pair whose ends are born in their
# namespaces, so no frame reaches the host; both up, without IPv6 (the
# kernel's own router solicitations would be flows the captures do not
# hold).  Returns non-zero if the pair cannot be made.
veth_pair() {
	ip netns exec "$1" ip link add "$2" type veth peer name "$4" \
	    netns "$3" || return 1
	for side in "$1:$2" "$3:$4"; do
		ns=${side%%:*} if=${side#*:}
		ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$if.disable_ipv6=1"
		ip netns exec "$ns" ip link set "$if" up || return 1
	done
}
