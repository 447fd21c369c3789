/// The OpenAPI 3.1 description of the answer API, written by hand and compiled into the binary (served at
/// `/api/v1/openapi.json`). Keep it in step with `AnswerAPI`: the tests check the API against it (schemathesis).
extension AnswerAPI {
    static let openAPI = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "Liaison vendor answer API",
        "version": "1.0.0",
        "description": "Answer a vulnerability notification without an account. The token is the last part of the answer link in the notification (https://<host>/answer/<token>); it stands for one organisation in one case and is valid until the case is published plus a grace period. A token that is tampered with, unknown, expired or revoked gets the same 404. Statuses and justifications are the CSAF 2.0 / VEX words."
      },
      "paths": {
        "/api/v1/answer/{token}": {
          "parameters": [{"$ref": "#/components/parameters/token"}],
          "get": {
            "operationId": "getAnswer",
            "summary": "The case as the notification told it, and the organisation's current answer",
            "responses": {
              "200": {"description": "The case and the current answer", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AnswerView"}}}},
              "404": {"$ref": "#/components/responses/NotValid"},
              "429": {"$ref": "#/components/responses/TooMany"}
            }
          },
          "post": {
            "operationId": "postAnswer",
            "summary": "Give or change the answer: a status per product, a statement and a contact",
            "description": "A later answer replaces the earlier one whole. not_affected needs a justification; fixed needs the fixed version; product names are unique within one answer.",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AnswerSubmission"}}}},
            "responses": {
              "200": {"description": "Recorded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Recorded"}}}},
              "400": {"$ref": "#/components/responses/Refused"},
              "404": {"$ref": "#/components/responses/NotValid"},
              "413": {"$ref": "#/components/responses/TooLarge"},
              "415": {"$ref": "#/components/responses/NotJSON"},
              "429": {"$ref": "#/components/responses/TooMany"}
            }
          }
        },
        "/api/v1/answer/{token}/document": {
          "parameters": [{"$ref": "#/components/parameters/token"}],
          "post": {
            "operationId": "postAnswerDocument",
            "summary": "Answer with a CSAF 2.0 VEX, OpenVEX or CycloneDX VEX document (JSON, at most 5 MB)",
            "description": "The document's product statuses are recorded as the answer at once; the response shows what was read. Only the statements about the link's case count when the document speaks of several vulnerabilities; a document naming no vulnerability is taken as about the link's case; one about other vulnerabilities only is refused (422).",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "description": "A CSAF 2.0 document with product_status, an OpenVEX document, or a CycloneDX BOM with vulnerabilities[].analysis; it must state the status of at least one product", "anyOf": [{"required": ["document", "vulnerabilities"]}, {"required": ["@context", "statements"]}, {"required": ["bomFormat", "vulnerabilities"]}]}}}},
            "responses": {
              "200": {"description": "Recorded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Recorded"}}}},
              "400": {"$ref": "#/components/responses/Refused"},
              "404": {"$ref": "#/components/responses/NotValid"},
              "413": {"$ref": "#/components/responses/TooLarge"},
              "415": {"$ref": "#/components/responses/NotJSON"},
              "422": {"$ref": "#/components/responses/AnotherCase"},
              "429": {"$ref": "#/components/responses/TooMany"}
            }
          }
        }
      },
      "components": {
        "parameters": {
          "token": {"name": "token", "in": "path", "required": true, "description": "The token of the answer link", "schema": {"type": "string", "minLength": 1, "maxLength": 1024}}
        },
        "responses": {
          "NotValid": {"description": "The link is not valid (tampered, unknown, expired or revoked: never said which)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
          "Refused": {"description": "The answer was refused; nothing changed. One line per problem, naming its field", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
          "TooLarge": {"description": "The body is larger than 1 MB (5 MB for a document)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
          "NotJSON": {"description": "The body is not JSON", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
          "AnotherCase": {"description": "The document is about another vulnerability and states nothing about this case; nothing changed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
          "TooMany": {"description": "Too many submissions for this link or from this address; try again later", "headers": {"Retry-After": {"schema": {"type": "string"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        },
        "schemas": {
          "Status": {"type": "string", "enum": ["affected", "not_affected", "fixed", "under_investigation"]},
          "Justification": {"type": "string", "enum": ["component_not_present", "vulnerable_code_not_present", "vulnerable_code_cannot_be_controlled_by_adversary", "vulnerable_code_not_in_execute_path", "inline_mitigations_already_exist"]},
          "Product": {
            "type": "object",
            "required": ["name", "status"],
            "properties": {
              "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*$", "description": "The product's name, free text in any language; unique (ignoring case) within one answer"},
              "identifier": {"type": "string", "maxLength": 500, "pattern": "^(?:cpe:2\\.3:[aho\\*\\-](:(((\\?*|\\*?)([a-zA-Z0-9\\-\\._]|(\\\\[\\\\\\*\\?!\"#\\$%&'\\(\\)\\+,/:;<=>@\\[\\]\\^`\\{\\|\\}~]))+(\\?*|\\*?))|[\\*\\-])){5}(:(([a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}))?)|[\\*\\-]))(:(((\\?*|\\*?)([a-zA-Z0-9\\-\\._]|(\\\\[\\\\\\*\\?!\"#\\$%&'\\(\\)\\+,/:;<=>@\\[\\]\\^`\\{\\|\\}~]))+(\\?*|\\*?))|[\\*\\-])){4}|[c][pP][eE]:/[AHOaho]?(:[A-Za-z0-9\\._\\-~%]*){0,6}|pkg:[A-Za-z\\.\\-\\+][A-Za-z0-9\\.\\-\\+]*/[^\\s/][^\\s]*)$", "description": "A CPE (cpe:2.3:… or cpe:/…) or a package URL (pkg:type/namespace/name@version), as the CSAF 2.0 schema writes them"},
              "status": {"$ref": "#/components/schemas/Status"},
              "justification": {"$ref": "#/components/schemas/Justification"},
              "fixed_version": {"type": "string", "maxLength": 100, "pattern": "^[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*$"},
              "detail": {"type": "string", "maxLength": 20000, "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"}
            },
            "allOf": [
              {"if": {"required": ["status"], "properties": {"status": {"const": "not_affected"}}},
               "then": {"required": ["justification"]}, "else": {"not": {"required": ["justification"]}}},
              {"if": {"required": ["status"], "properties": {"status": {"const": "fixed"}}},
               "then": {"required": ["fixed_version"]}, "else": {"not": {"required": ["fixed_version"]}}}
            ]
          },
          "AnswerSubmission": {
            "type": "object",
            "required": ["products"],
            "properties": {
              "products": {"type": "array", "minItems": 1, "maxItems": 200, "items": {"$ref": "#/components/schemas/Product"}},
              "statement": {"type": "string", "maxLength": 20000, "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$", "description": "What the organisation says about the case, any language"},
              "contact": {"type": "string", "maxLength": 500, "pattern": "^[^\\u0000-\\u001f\\u007f]*$", "description": "Who to ask for follow-up"}
            }
          },
          "Answer": {
            "type": "object",
            "required": ["products", "answered_at"],
            "properties": {
              "products": {"type": "array", "items": {"$ref": "#/components/schemas/Product"}},
              "statement": {"type": "string"},
              "contact": {"type": "string"},
              "answered_at": {"type": "string", "format": "date-time"},
              "document": {"type": "string", "description": "The VEX document the answer was read from, when it was one"}
            }
          },
          "AnswerView": {
            "type": "object",
            "required": ["case", "organization", "valid_until"],
            "properties": {
              "case": {
                "type": "object",
                "required": ["id", "title", "tlp"],
                "properties": {
                  "id": {"type": "string"},
                  "title": {"type": "string"},
                  "tlp": {"type": "string"},
                  "due": {"type": "string", "description": "The planned publication day, YYYY-MM-DD"}
                }
              },
              "organization": {"type": "string"},
              "valid_until": {"type": "string", "format": "date-time"},
              "answer": {"$ref": "#/components/schemas/Answer"}
            }
          },
          "Recorded": {
            "type": "object",
            "required": ["recorded", "response"],
            "properties": {
              "recorded": {"type": "boolean"},
              "response": {"type": "string", "enum": ["none", "acknowledged", "investigating", "affected", "not-affected", "fixed"], "description": "The organisation's response, derived from its products"},
              "answer": {"$ref": "#/components/schemas/Answer"}
            }
          },
          "Problem": {
            "type": "object",
            "required": ["error"],
            "properties": {
              "error": {"type": "string"},
              "problems": {"type": "array", "items": {"type": "string"}}
            }
          }
        }
      }
    }
    """#
}
