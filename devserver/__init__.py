"""A throwaway Synapse homeserver on loopback, for the integration tests and the demo."""

from devserver.synapse import SynapseError, SynapseServer

__all__ = ["SynapseError", "SynapseServer"]
