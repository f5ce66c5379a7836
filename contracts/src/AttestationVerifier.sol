// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IProofVerifier} from "./IProofVerifier.sol";

/// @title AttestationVerifier
/// @notice Stands in for on-chain SNARK verification where no Halo2Verifier exists for a model: a k-of-n committee of
///         verifier nodes verifies the proof off chain and signs an EIP-712 Attestation(modelId, keccak256(proof),
///         keccak256(instances)). One AttestationVerifier serves one model, as a Halo2Verifier does.
///         The `proof` given to verifyProof is abi.encode(bytes snarkProof, bytes signatures), where signatures are
///         65-byte (r, s, v) signatures concatenated in strictly increasing order of signer address.
contract AttestationVerifier is IProofVerifier {
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 public constant ATTESTATION_TYPEHASH =
        keccak256("Attestation(bytes32 modelId,bytes32 proofHash,bytes32 instancesHash)");
    bytes32 private constant NAME_HASH = keccak256("Zkml AttestationVerifier");
    bytes32 private constant VERSION_HASH = keccak256("1");
    uint256 private constant HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    /// @notice The model whose proofs this committee attests.
    bytes32 public immutable modelId;

    address public owner;
    uint256 public threshold;
    address[] private _members;
    mapping(address => uint256) private _memberIndex; // index + 1; 0 = not a member

    event MemberAdded(address indexed member);
    event MemberRemoved(address indexed member);
    event ThresholdChanged(uint256 threshold);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error NotOwner(address caller);
    error AlreadyMember(address member);
    error NotMember(address member);
    error InvalidThreshold(uint256 threshold, uint256 members);
    error ZeroAddress();
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
        for (uint256 i = 0; i < members_.length; i++) {
            _addMember(members_[i]);
        }
        _setThreshold(threshold_);
    }

    /// @notice Adds a committee member.
    function addMember(address member) external onlyOwner {
        _addMember(member);
    }

    /// @notice Removes a committee member; the threshold must still be reachable afterwards.
    function removeMember(address member) external onlyOwner {
        uint256 index = _memberIndex[member];
        if (index == 0) revert NotMember(member);
        if (threshold > _members.length - 1) revert InvalidThreshold(threshold, _members.length - 1);
        address last = _members[_members.length - 1];
        _members[index - 1] = last;
        _memberIndex[last] = index;
        _members.pop();
        delete _memberIndex[member];
        emit MemberRemoved(member);
    }

    /// @notice Sets how many distinct member signatures an attestation needs (1..members).
    function setThreshold(uint256 threshold_) external onlyOwner {
        _setThreshold(threshold_);
    }

    /// @notice Hands committee management to another address.
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    /// @notice The current committee.
    function members() external view returns (address[] memory) {
        return _members;
    }

    /// @notice Whether `account` is a committee member.
    function isMember(address account) external view returns (bool) {
        return _memberIndex[account] != 0;
    }

    /// @notice The EIP-712 domain separator (name "Zkml AttestationVerifier", version "1", this chain, this contract).
    function domainSeparator() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    /// @notice The EIP-712 digest members sign for a proof and its public instances.
    function attestationDigest(bytes32 proofHash, bytes32 instancesHash) public view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(ATTESTATION_TYPEHASH, modelId, proofHash, instancesHash));
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    /// @inheritdoc IProofVerifier
    /// @dev Reverts with a custom error when the quorum is not met; returns true otherwise.
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external view returns (bool) {
        (bytes memory snarkProof, bytes memory signatures) = abi.decode(proof, (bytes, bytes));
        if (signatures.length % 65 != 0) revert MalformedSignatures(signatures.length);
        uint256 count = signatures.length / 65;
        if (count < threshold) revert InsufficientSignatures(count, threshold);
        bytes32 digest = attestationDigest(keccak256(snarkProof), keccak256(abi.encodePacked(instances)));
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

    function _addMember(address member) private {
        if (member == address(0)) revert ZeroAddress();
        if (_memberIndex[member] != 0) revert AlreadyMember(member);
        _members.push(member);
        _memberIndex[member] = _members.length;
        emit MemberAdded(member);
    }

    function _setThreshold(uint256 threshold_) private {
        if (threshold_ == 0 || threshold_ > _members.length) revert InvalidThreshold(threshold_, _members.length);
        threshold = threshold_;
        emit ThresholdChanged(threshold_);
    }
}
