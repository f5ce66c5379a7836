// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Test-only contract that emits ProofMarket's events with values no bounded market emits (a deadline after
///         year 9999, a lock of 2^40 s, 2^32-1 inputs) and a ProofRequested log whose data is cut short, next to normal
///         ones: an indexer pointed at it must skip the poison and still deliver the normal events.
contract PoisonEmitter {
    event ModelRegistered(
        bytes32 indexed modelId,
        address indexed provider,
        bytes32 indexed vkHash,
        address verifier,
        uint256 price,
        uint256 lockCollateral,
        uint64 lockDuration,
        uint32 inputInstanceCount,
        string artifactUri
    );
    event ProofRequested(
        uint256 indexed requestId,
        bytes32 indexed modelId,
        address indexed requester,
        uint256 payment,
        bytes32 inputCommitment,
        string inputUri,
        uint64 deadline
    );

    function poisonModel(bytes32 modelId) external {
        emit ModelRegistered(modelId, msg.sender, modelId, address(this), 0, 1, uint64(1) << 40, type(uint32).max, "poison://");
    }

    function poisonRequest(uint256 requestId, bytes32 modelId, uint64 deadline) external {
        emit ProofRequested(requestId, modelId, msg.sender, 0, bytes32(0), "poison://", deadline);
    }

    /// @notice A ProofRequested log with only 32 bytes of data (the ABI needs at least 128).
    function truncatedRequest(uint256 requestId, bytes32 modelId) external {
        bytes32 topic = ProofRequested.selector;
        address requester = msg.sender;
        assembly ("memory-safe") {
            mstore(0, 1)
            log4(0, 32, topic, requestId, modelId, requester)
        }
    }

    function normalRequest(uint256 requestId, bytes32 modelId, uint64 deadline) external {
        emit ProofRequested(requestId, modelId, msg.sender, 1 ether, keccak256("input"), "s3://inputs/normal.json", deadline);
    }
}
