/** The document, or the request starting it, is one SSM would refuse (or a misnamed step, output or parameter). */
export class AutomationDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AutomationDocumentError';
  }
}

/** The execution reached a case the SSM documentation does not settle; a document must not depend on it. */
export class UndocumentedBehaviourError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndocumentedBehaviourError';
  }
}
