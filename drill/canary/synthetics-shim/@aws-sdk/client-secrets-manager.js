// The drill's local stand-in for `@aws-sdk/client-secrets-manager`, which the Lambda Node.js runtime under CloudWatch
// Synthetics provides to canaries ("For Lambda Node.js 18 and later runtimes, use AWS SDK for JavaScript V3",
// CloudWatch Synthetics, runtime versions using Node.js and Puppeteer). The journey reads the synthetic shopper's
// token with GetSecretValue; here the answer comes from the run's secrets, which the drill's canary runner puts in
// DRILL_SECRETS (JSON: secret id → string). Only what journey.js uses exists.

class GetSecretValueCommand {
  constructor(input) {
    this.input = input;
  }
}

class SecretsManagerClient {
  async send(command) {
    if (!(command instanceof GetSecretValueCommand)) {
      throw new Error('@aws-sdk/client-secrets-manager (drill stand-in): only GetSecretValueCommand is supported');
    }
    const secrets = JSON.parse(process.env.DRILL_SECRETS || '{}');
    const id = command.input?.SecretId;
    if (typeof id !== 'string' || !Object.hasOwn(secrets, id)) {
      const error = new Error("Secrets Manager can't find the specified secret.");
      error.name = 'ResourceNotFoundException';
      throw error;
    }
    return { Name: id, SecretString: secrets[id] };
  }
}

module.exports = { SecretsManagerClient, GetSecretValueCommand };
