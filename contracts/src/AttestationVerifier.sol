// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IProofVerifier} from "./IProofVerifier.sol";
import {IFulfilmentContext} from "./IFulfilmentContext.sol";

/// @title AttestationVerifier
/// @notice Stands in for on-chain SNARK verification where no Halo2Verifier exists for a model: a k-of-n committee of
///         verifier nodes verifies the proof off chain and signs an EIP-712
///         Attestation(modelId, market, requestId, prover, keccak256(proof), keccak256(instances)).
///         One AttestationVerifier serves one model, as a Halo2Verifier does.
///         The `proof` given to verifyProof is abi.encode(bytes snarkProof, bytes signatures), where signatures are
///         65-byte (r, s, v) signatures concatenated in strictly increasing order of signer address.
/// @dev Binding: verifyProof reads the request and prover from the calling market (IFulfilmentContext), so an
///      attestation is valid for one request, one prover and one market only: copying it (or the whole fulfil
///      calldata) gains nothing.
///      Committee changes: the owner proposes a whole new committee (members and threshold); anyone applies it after
///      COMMITTEE_DELAY, which is longer than the market's longest request (30 days). A request made before a change
///      was proposed therefore ends under the committee its requester saw, and a pending change is public (an event
///      and `pendingCommittee()`) before anyone pays under it. Ownership moves in two steps (transfer, accept).
contract AttestationVerifier is IProofVerifier {
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 public constant ATTESTATION_TYPEHASH = keccak256(
        "Attestation(bytes32 modelId,address market,uint256 requestId,address prover,bytes32 proofHash,bytes32 instancesHash)"
    );
    bytes32 private constant NAME_HASH = keccak256("Zkml AttestationVerifier");
    bytes32 private constant VERSION_HASH = keccak256("2");
    uint256 private constant HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    /// @notice How long a proposed committee waits before it can be applied.
    uint256 public constant COMMITTEE_DELAY = 31 days;

    /// @notice The model whose proofs this committee attests.
    bytes32 public immutable modelId;

    address public owner;
    address public pendingOwner;
    uint256 public threshold;
    address[] private _members;
    mapping(address => uint256) private _memberIndex; // index + 1; 0 = not a member

    address[] private _proposedMembers;
    uint256 private _proposedThreshold;
    uint256 private _proposedAt; // 0 = nothing proposed

    event MemberAdded(address indexed member);
    event MemberRemoved(address indexed member);
    event ThresholdChanged(uint256 threshold);
    event CommitteeChangeProposed(address[] members, uint256 threshold, uint256 applicableAt);
    event CommitteeChangeCancelled();
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error NotOwner(address caller);
    error NotPendingOwner(address caller);
    error AlreadyMember(address member);
    error InvalidThreshold(uint256 threshold, uint256 members);
    error ZeroAddress();
    error MembersNotSorted(address member);
    error NoPendingChange();
    error ChangeNotDue(uint256 applicableAt);
    error NoFulfilmentContext(address caller);
    error MalformedSignatures(uint256 length);
    error InsufficientSignatures(uint256 supplied, uint256 threshold);
    error InvalidSignature(uint256 index);
    error UnknownSigner(address signer);
    error DuplicateSigner(address signer);
    error SignersNotSorted(address signer);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    constructor(bytes32 modelId_, address owner_, address[] memory members_, uint256 threshold_) {
        if (owner_ == address(0)) revert ZeroAddress();
        modelId = modelId_;
        owner = owner_;
        emit OwnershipTransferred(address(0), owner_);
        _setCommittee(members_, threshold_);
    }

    /// @notice Proposes a new committee (members in strictly increasing address order, threshold 1..members); it can
    ///         be applied after COMMITTEE_DELAY. A new proposal replaces a pending one (and restarts the delay).
    function proposeCommittee(address[] calldata members_, uint256 threshold_) external onlyOwner {
        if (threshold_ == 0 || threshold_ > members_.length) revert InvalidThreshold(threshold_, members_.length);
        address previous = address(0);
        for (uint256 i = 0; i < members_.length; i++) {
            if (members_[i] <= previous) revert MembersNotSorted(members_[i]);
            previous = members_[i];
        }
        _proposedMembers = members_;
        _proposedThreshold = threshold_;
        _proposedAt = block.timestamp;
        emit CommitteeChangeProposed(members_, threshold_, block.timestamp + COMMITTEE_DELAY);
    }

    /// @notice Withdraws the pending proposal.
    function cancelCommitteeChange() external onlyOwner {
        if (_proposedAt == 0) revert NoPendingChange();
        _clearProposal();
        emit CommitteeChangeCancelled();
    }

    /// @notice Applies the pending committee once its delay has passed (anyone may call).
    function applyCommitteeChange() external {
        if (_proposedAt == 0) revert NoPendingChange();
        uint256 applicableAt = _proposedAt + COMMITTEE_DELAY;
        if (block.timestamp < applicableAt) revert ChangeNotDue(applicableAt);
        address[] memory members_ = _proposedMembers;
        uint256 threshold_ = _proposedThreshold;
        _clearProposal();
        for (uint256 i = 0; i < _members.length; i++) {
            delete _memberIndex[_members[i]];
            emit MemberRemoved(_members[i]);
        }
        delete _members;
        _setCommittee(members_, threshold_);
    }

    /// @notice The pending proposal: members, threshold and when it can be applied (0 when none).
    function pendingCommittee()
        external
        view
        returns (address[] memory members_, uint256 threshold_, uint256 applicableAt)
    {
        if (_proposedAt == 0) return (members_, 0, 0);
        return (_proposedMembers, _proposedThreshold, _proposedAt + COMMITTEE_DELAY);
    }

    /// @notice Starts handing committee management to another address; it takes over when it calls acceptOwnership.
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        pendingOwner = newOwner;
        emit OwnershipTransferStarted(owner, newOwner);
    }

    /// @notice Completes an ownership transfer (the pending owner only).
    function acceptOwnership() external {
        if (msg.sender != pendingOwner) revert NotPendingOwner(msg.sender);
        emit OwnershipTransferred(owner, msg.sender);
        owner = msg.sender;
        pendingOwner = address(0);
    }

    /// @notice The current committee.
    function members() external view returns (address[] memory) {
        return _members;
    }

    /// @notice Whether `account` is a committee member.
    function isMember(address account) external view returns (bool) {
        return _memberIndex[account] != 0;
    }

    /// @notice The EIP-712 domain separator (name "Zkml AttestationVerifier", version "2", this chain, this contract).
    function domainSeparator() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    /// @notice The EIP-712 digest members sign for a proof of one request fulfilled by one prover in one market.
    function attestationDigest(
        address market,
        uint256 requestId,
        address prover,
        bytes32 proofHash,
        bytes32 instancesHash
    ) public view returns (bytes32) {
        bytes32 structHash =
            keccak256(abi.encode(ATTESTATION_TYPEHASH, modelId, market, requestId, prover, proofHash, instancesHash));
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    /// @inheritdoc IProofVerifier
    /// @dev The caller must be a market fulfilling a request (IFulfilmentContext); reverts with a custom error when the
    ///      quorum is not met for that request and prover, returns true otherwise.
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external view returns (bool) {
        if (msg.sender.code.length == 0) revert NoFulfilmentContext(msg.sender);
        (uint256 requestId, address prover) = IFulfilmentContext(msg.sender).fulfilmentContext();
        if (requestId == 0) revert NoFulfilmentContext(msg.sender);
        return _verifyAttestation(proof, instances, msg.sender, requestId, prover);
    }

    /// @notice The check verifyProof makes, for an explicit market, request and prover (for off-chain checks).
    function verifyAttestation(
        bytes calldata proof,
        uint256[] calldata instances,
        address market,
        uint256 requestId,
        address prover
    ) external view returns (bool) {
        return _verifyAttestation(proof, instances, market, requestId, prover);
    }

    function _verifyAttestation(
        bytes calldata proof,
        uint256[] calldata instances,
        address market,
        uint256 requestId,
        address prover
    ) private view returns (bool) {
        (bytes memory snarkProof, bytes memory signatures) = abi.decode(proof, (bytes, bytes));
        if (signatures.length % 65 != 0) revert MalformedSignatures(signatures.length);
        uint256 count = signatures.length / 65;
        if (count < threshold) revert InsufficientSignatures(count, threshold);
        bytes32 digest = attestationDigest(
            market, requestId, prover, keccak256(snarkProof), keccak256(abi.encodePacked(instances))
        );
        address previous = address(0);
        for (uint256 i = 0; i < count; i++) {
            bytes32 r;
            bytes32 s;
            uint8 v;
            assembly ("memory-safe") {
                let p := add(add(signatures, 32), mul(i, 65))
                r := mload(p)
                s := mload(add(p, 32))
                v := byte(0, mload(add(p, 64)))
            }
            if (v < 27) v += 27;
            if (uint256(s) > HALF_ORDER || (v != 27 && v != 28)) revert InvalidSignature(i);
            address signer = ecrecover(digest, v, r, s);
            if (signer == address(0)) revert InvalidSignature(i);
            if (_memberIndex[signer] == 0) revert UnknownSigner(signer);
            if (signer == previous) revert DuplicateSigner(signer);
            if (signer < previous) revert SignersNotSorted(signer);
            previous = signer;
        }
        return true;
    }

    function _setCommittee(address[] memory members_, uint256 threshold_) private {
        for (uint256 i = 0; i < members_.length; i++) {
            address member = members_[i];
            if (member == address(0)) revert ZeroAddress();
            if (_memberIndex[member] != 0) revert AlreadyMember(member);
            _members.push(member);
            _memberIndex[member] = _members.length;
            emit MemberAdded(member);
        }
        if (threshold_ == 0 || threshold_ > _members.length) revert InvalidThreshold(threshold_, _members.length);
        threshold = threshold_;
        emit ThresholdChanged(threshold_);
    }

    function _clearProposal() private {
        delete _proposedMembers;
        _proposedThreshold = 0;
        _proposedAt = 0;
    }
}
