import { describe, expect, it } from "vitest";
import { customerIdsFromCsv, parseCsv } from "#cli/customer-id-csv.js";

describe("customerIdsFromCsv", () => {
  it("reads the customerId column wherever it is, trimming and de-duplicating", () => {
    const csv = "email,customerId,tier\na@x.io, c-1 ,gold\nb@x.io,c-2,silver\nc@x.io,c-1,gold\n";

    expect(customerIdsFromCsv(csv)).toEqual({ ids: ["c-1", "c-2"], problems: [] });
  });

  it("handles quotes, commas and newlines inside quotes, CRLF, a byte order mark and blank lines", () => {
    const csv = '\uFEFFcustomerId,note\r\n"c-1","a, b"\r\n\r\n"c-""2""","line\nbreak"\r\nc-3,\r\n';

    const { ids, problems } = customerIdsFromCsv(csv);

    expect(ids).toEqual(["c-1", 'c-"2"', "c-3"]);
    expect(problems).toEqual([]);
  });

  it("names the lines whose id is empty, counting lines inside quoted fields", () => {
    const csv = 'customerId,note\nc-1,"two\nlines"\n,missing\nc-2,x\n  ,blank id\n';

    expect(customerIdsFromCsv(csv)).toEqual({
      ids: ["c-1", "c-2"],
      problems: ["line 4: empty customerId", "line 6: empty customerId"],
    });
  });

  it("refuses a file without a customerId header, and an unterminated quote", () => {
    expect(() => customerIdsFromCsv("id,email\nc-1,a@x.io\n")).toThrow(
      /"customerId" column.*header "id,email"/,
    );
    expect(() => customerIdsFromCsv("")).toThrow(/an empty file/);
    expect(() => parseCsv('customerId\n"c-1\n')).toThrow(/line 2 is never closed/);
  });

  it("keeps a last row without a final newline", () => {
    expect(parseCsv("a,b\n1,2").map((r) => r.fields)).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });
});
