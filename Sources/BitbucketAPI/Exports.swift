// The plain data types the client returns are part of its API.
@_exported import BitbucketModel
