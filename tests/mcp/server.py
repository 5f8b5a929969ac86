"""hardgen-test-office: a stateful MCP test server (FastMCP, the official `mcp` package).

Three linked areas -- a small file system, messaging, room bookings -- whose tools depend on one
another through opaque ids (FLD-1001, FIL-1001, CTC-1001, MSG-1001, ROM-1001, BKG-1001).
Every process starts from the same seeded state (or from the JSON file named by OFFICE_STORE).
See README.md beside this file for the tools, the environment variables and the failure modes.

Usage: python server.py                 # MCP over stdio
       python server.py --http PORT     # streamable HTTP at http://127.0.0.1:PORT/mcp
"""

import argparse
import copy
import hashlib
import json
import os
import re
import sys
import tempfile
from datetime import date as _date
from typing import Annotated, Any, Literal

import anyio
from mcp.server.fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

SERVER_NAME = "hardgen-test-office"

# ---------------------------------------------------------------------------------------------
# State
# ---------------------------------------------------------------------------------------------

PREFIXES = {
    "folders": "FLD",
    "files": "FIL",
    "contacts": "CTC",
    "messages": "MSG",
    "rooms": "ROM",
    "bookings": "BKG",
}


def _seed() -> dict[str, Any]:
    """The initial state: deterministic, the same for every fresh process."""
    folders = {
        "FLD-1001": {"folder_id": "FLD-1001", "name": "Projects", "parent_folder_id": None},
        "FLD-1002": {"folder_id": "FLD-1002", "name": "Finance", "parent_folder_id": None},
        "FLD-1003": {"folder_id": "FLD-1003", "name": "Q3 Launch", "parent_folder_id": "FLD-1001"},
    }
    files_list = [
        ("FIL-1001", "FLD-1001", "roadmap.md",
         "# Roadmap\n- Q2: beta of the mobile app\n- Q3: public launch\n- Q4: partner integrations\n"),
        ("FIL-1002", "FLD-1002", "budget-2025.csv",
         "item,amount\nmarketing,12000\nhosting,4500\ncontractors,18000\n"),
        ("FIL-1003", "FLD-1002", "invoice-0042.txt",
         "Invoice 0042\nFrom: Diaz Design Studio\nAmount due: 3,200.00 EUR\nDue: 2025-04-01\n"),
        ("FIL-1004", "FLD-1003", "launch-plan.md",
         "# Q3 launch plan\n1. Freeze features on 2025-06-30\n2. Press release on 2025-07-15\n"),
        ("FIL-1005", "FLD-1003", "press-release-draft.txt",
         "DRAFT - Acme ships its mobile app to everyone. Quote from the CEO to follow.\n"),
    ]
    files = {
        fid: {"file_id": fid, "folder_id": fld, "name": name, "content": content, "deleted": False}
        for fid, fld, name, content in files_list
    }
    contacts_list = [
        ("CTC-1001", "Alice Martin", "alice.martin@example.com"),
        ("CTC-1002", "Bob Chen", "bob.chen@example.com"),
        ("CTC-1003", "Carla Diaz", "carla@diazdesign.example"),
        ("CTC-1004", "David Okafor", "david.okafor@example.com"),
        ("CTC-1005", "Eva Novak", "eva.novak@example.org"),
        ("CTC-1006", "Farid Haddad", "farid.haddad@example.net"),
    ]
    contacts = {cid: {"contact_id": cid, "name": n, "email": e} for cid, n, e in contacts_list}
    messages_list = [
        ("MSG-1001", "CTC-1002", "received", "Budget numbers",
         "Hi, the budget for next year is attached. Can you check the hosting line?",
         "FIL-1002", None, False),
        ("MSG-1002", "CTC-1002", "sent", "Re: Budget numbers",
         "Thanks Bob, hosting looks right to me.", None, "MSG-1001", False),
        ("MSG-1003", "CTC-1003", "received", "Invoice 0042",
         "Please find invoice 0042 for the design work attached.", "FIL-1003", None, False),
        ("MSG-1004", "CTC-1005", "sent", "Press release draft",
         "Eva, here is the first draft of the press release for review.", "FIL-1005", None, False),
        ("MSG-1005", "CTC-1006", "received", "Lunch next week?",
         "Are you free for lunch on Thursday?", None, None, True),
    ]
    messages = {
        mid: {"message_id": mid, "contact_id": cid, "direction": d, "subject": s, "body": b,
              "attachment_file_id": att, "in_reply_to": irt, "archived": arch}
        for mid, cid, d, s, b, att, irt, arch in messages_list
    }
    rooms_list = [
        ("ROM-1001", "Atlas", 4, 1),
        ("ROM-1002", "Borealis", 8, 2),
        ("ROM-1003", "Cedar", 2, 2),
        ("ROM-1004", "Summit Hall", 20, 3),
    ]
    rooms = {rid: {"room_id": rid, "name": n, "capacity": c, "floor": f} for rid, n, c, f in rooms_list}
    bookings_list = [
        ("BKG-1001", "ROM-1001", "2025-03-10", "Roadmap review", "CTC-1001", ["CTC-1001", "CTC-1002"]),
        ("BKG-1002", "ROM-1003", "2025-03-11", "Budget one-to-one", "CTC-1002", ["CTC-1002", "CTC-1003"]),
        ("BKG-1003", "ROM-1004", "2025-03-12", "Q3 launch kickoff", "CTC-1004",
         ["CTC-1004", "CTC-1005", "CTC-1001"]),
    ]
    bookings = {
        bid: {"booking_id": bid, "room_id": rid, "date": d, "title": t, "organizer_contact_id": org,
              "attendee_contact_ids": list(att), "status": "confirmed"}
        for bid, rid, d, t, org, att in bookings_list
    }
    state: dict[str, Any] = {
        "folders": folders,
        "files": files,
        "contacts": contacts,
        "messages": messages,
        "rooms": rooms,
        "bookings": bookings,
    }
    state["next_ids"] = {kind: 1001 + len(state[kind]) for kind in PREFIXES}
    return state


STORE = os.environ.get("OFFICE_STORE") or None
STATE: dict[str, Any] = {}


def _load() -> dict[str, Any]:
    if STORE and os.path.exists(STORE):
        with open(STORE, encoding="utf-8") as f:
            try:
                loaded = json.load(f)
            except ValueError as e:
                raise ValueError(f"OFFICE_STORE file {STORE} is not valid JSON: {e}") from None
        missing = [k for k in list(PREFIXES) + ["next_ids"] if k not in loaded]
        if missing:
            raise ValueError(f"OFFICE_STORE file {STORE} lacks the keys {missing}")
        return loaded
    return _seed()


def _save() -> None:
    """Writes the state to OFFICE_STORE (atomically), if it is set."""
    if not STORE:
        return
    directory = os.path.dirname(os.path.abspath(STORE))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".office-store-", dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(_canonical(STATE))
    os.replace(tmp, STORE)


def _canonical(state: dict[str, Any]) -> str:
    return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest() -> str:
    return hashlib.sha256(_canonical(STATE).encode("utf-8")).hexdigest()


def _new_id(kind: str) -> str:
    n = STATE["next_ids"][kind]
    STATE["next_ids"][kind] = n + 1
    return f"{PREFIXES[kind]}-{n}"


def _get(kind: str, noun: str, id_: str) -> dict[str, Any]:
    item = STATE[kind].get(id_)
    if item is None:
        raise ValueError(f"no {noun} has the id {id_!r}")
    return item


def _file(file_id: str) -> dict[str, Any]:
    f = _get("files", "file", file_id)
    if f["deleted"]:
        raise ValueError(f"the file {file_id} ({f['name']}) has been deleted")
    return f


DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check_date(value: str) -> str:
    try:
        if not DATE_RE.match(value):
            raise ValueError
        _date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date of the form YYYY-MM-DD") from None
    return value


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _nonempty(what: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError(f"{what} must not be empty")
    return value


# ---------------------------------------------------------------------------------------------
# Result types (each tool returns one, so FastMCP emits outputSchema and structuredContent)
# ---------------------------------------------------------------------------------------------


class Folder(BaseModel):
    folder_id: str = Field(description="Id of the folder")
    name: str = Field(description="Name of the folder")
    parent_folder_id: str | None = Field(description="Id of the folder that holds this one, null at the top")


class FolderListItem(Folder):
    file_count: int = Field(description="Number of (not deleted) files in the folder")


class FolderList(BaseModel):
    results: list[FolderListItem] = Field(description="All folders")


class FileInfo(BaseModel):
    file_id: str = Field(description="Id of the file")
    folder_id: str = Field(description="Id of the folder that holds the file")
    name: str = Field(description="Name of the file")
    size: int = Field(description="Size of the content in characters")


class WrittenFile(FileInfo):
    created: bool = Field(description="True if a new file was made, false if an existing file of that name was overwritten")


class FileContent(FileInfo):
    content: str = Field(description="Text content of the file")


class FileList(BaseModel):
    results: list[FileInfo] = Field(description="Files of the folder")


class MovedFile(FileInfo):
    previous_folder_id: str = Field(description="Id of the folder the file was in before the move")


class DeletedFile(BaseModel):
    file_id: str = Field(description="Id of the deleted file")
    folder_id: str = Field(description="Id of the folder the file was in")
    deleted: bool = Field(description="Always true")


class SearchHit(FileInfo):
    snippet: str = Field(description="The line of the file (or its name) that matched")


class SearchResults(BaseModel):
    results: list[SearchHit] = Field(description="Matching files")


class Contact(BaseModel):
    contact_id: str = Field(description="Id of the contact")
    name: str = Field(description="Full name of the contact")
    email: str = Field(description="Email address of the contact")


class ContactList(BaseModel):
    results: list[Contact] = Field(description="Matching contacts")


class SentMessage(BaseModel):
    message_id: str = Field(description="Id of the new message")
    contact_id: str = Field(description="Id of the contact the message went to")
    subject: str = Field(description="Subject of the message")
    attachment_file_id: str | None = Field(description="Id of the attached file, null if none")


class MessageSummary(BaseModel):
    message_id: str = Field(description="Id of the message")
    contact_id: str = Field(description="Id of the contact the message was exchanged with")
    direction: Literal["sent", "received"] = Field(description="Whether the message was sent to or received from the contact")
    subject: str = Field(description="Subject of the message")
    attachment_file_id: str | None = Field(description="Id of the attached file, null if none")
    archived: bool = Field(description="Whether the message is archived")


class MessageList(BaseModel):
    results: list[MessageSummary] = Field(description="Messages exchanged with the contact, oldest first")


class Message(MessageSummary):
    body: str = Field(description="Body text of the message")
    in_reply_to: str | None = Field(description="Id of the message this one answers, null if none")


class Reply(BaseModel):
    message_id: str = Field(description="Id of the new reply message")
    in_reply_to: str = Field(description="Id of the message that was answered")
    contact_id: str = Field(description="Id of the contact the reply went to")
    subject: str = Field(description="Subject of the reply")


class Archived(BaseModel):
    message_id: str = Field(description="Id of the archived message")
    archived: bool = Field(description="Always true")


class Room(BaseModel):
    room_id: str = Field(description="Id of the meeting room")
    name: str = Field(description="Name of the room")
    capacity: int = Field(description="Number of people the room holds")
    floor: int = Field(description="Floor the room is on")


class RoomList(BaseModel):
    results: list[Room] = Field(description="Matching rooms")


class Availability(BaseModel):
    room_id: str = Field(description="Id of the room that was checked")
    date: str = Field(description="Date that was checked (YYYY-MM-DD)")
    available: bool = Field(description="True if the room is free that day")
    booking_id: str | None = Field(description="Id of the booking that holds the room that day, null if free")


class Booking(BaseModel):
    booking_id: str = Field(description="Id of the booking")
    room_id: str = Field(description="Id of the booked room")
    date: str = Field(description="Day of the booking (YYYY-MM-DD)")
    title: str = Field(description="Title of the meeting")
    organizer_contact_id: str = Field(description="Id of the contact who organizes the meeting")
    attendee_contact_ids: list[str] = Field(description="Ids of the contacts attending, organizer included")
    status: Literal["confirmed", "cancelled"] = Field(description="Status of the booking")


class BookingList(BaseModel):
    results: list[Booking] = Field(description="Matching bookings, ordered by date")


class CancelledBooking(BaseModel):
    booking_id: str = Field(description="Id of the cancelled booking")
    room_id: str = Field(description="Id of the room that is free again")
    date: str = Field(description="Day of the cancelled booking (YYYY-MM-DD)")
    status: Literal["cancelled"] = Field(description="Always cancelled")


class Invitation(Booking):
    invitation_message_id: str = Field(description="Id of the invitation message sent to the invited contact")


class ResetResult(BaseModel):
    reset: bool = Field(description="Always true")
    digest: str = Field(description="sha256 digest of the restored state")


class Digest(BaseModel):
    digest: str = Field(description="sha256 hex digest of the canonical JSON of the whole state")


# ---------------------------------------------------------------------------------------------
# Failure injection (OFFICE_FAIL) and the server
# ---------------------------------------------------------------------------------------------


def _parse_fail(spec: str | None) -> tuple[str, int] | None:
    if not spec:
        return None
    m = re.fullmatch(r"(crash|hang|garbage):([1-9][0-9]*)", spec.strip())
    if not m:
        raise ValueError(f"OFFICE_FAIL={spec!r} is not one of crash:N, hang:N, garbage:N (N >= 1)")
    return m.group(1), int(m.group(2))


class OfficeServer(FastMCP):
    """FastMCP that counts tools/call requests and injects the failure that OFFICE_FAIL asks for."""

    fail: tuple[str, int] | None = None
    calls = 0
    dying = False

    def _count(self) -> int:
        """This call's number: per process, or across every process sharing OFFICE_FAIL_COUNTER
        (a file), so that a failure happens once in a whole run, not in every restarted server."""
        path = os.environ.get("OFFICE_FAIL_COUNTER")
        if not path:
            self.calls += 1
            return self.calls
        import fcntl

        with open(path, "a+") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.seek(0)
            text = f.read().strip()
            n = (int(text) if text else 0) + 1
            f.seek(0)
            f.truncate()
            f.write(str(n))
        return n

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> Any:
        n = self._count()
        if self.dying:
            await anyio.sleep_forever()  # calls after a crash/garbage call never run nor answer
        if self.fail and n == self.fail[1]:
            mode = self.fail[0]
            if mode in ("crash", "garbage"):
                # Let the answers to earlier (pipelined) calls reach stdout first.
                self.dying = True
                await anyio.sleep(0.2)
            if mode == "crash":
                os._exit(3)
            if mode == "hang":
                await anyio.sleep_forever()
            if mode == "garbage":
                sys.stdout.buffer.write(b"this is not json\n")
                sys.stdout.buffer.flush()
                os._exit(4)
        return await super().call_tool(name, arguments)


mcp = OfficeServer(
    SERVER_NAME,
    instructions=(
        "A small office: folders and files, contacts and messages, meeting rooms and bookings. "
        "Ids are opaque strings returned by the tools that make or list things."
    ),
    log_level="WARNING",
)

READ = ToolAnnotations(readOnlyHint=True)
WRITE = ToolAnnotations(readOnlyHint=False, destructiveHint=False)
DESTRUCTIVE = ToolAnnotations(readOnlyHint=False, destructiveHint=True)

# ---- file system -----------------------------------------------------------------------------


@mcp.tool(annotations=WRITE)
def create_folder(
    name: Annotated[str, Field(description="Name of the new folder")],
    parent_folder_id: Annotated[
        str | None, Field(description="Id of the folder to create it in; omit to create it at the top level")
    ] = None,
) -> Folder:
    """Create a folder, at the top level or inside another folder."""
    name = _nonempty("the folder name", name)
    if parent_folder_id is not None:
        _get("folders", "folder", parent_folder_id)
    for f in STATE["folders"].values():
        if f["parent_folder_id"] == parent_folder_id and f["name"].lower() == name.lower():
            raise ValueError(f"a folder named {f['name']!r} already exists there ({f['folder_id']})")
    folder = {"folder_id": _new_id("folders"), "name": name, "parent_folder_id": parent_folder_id}
    STATE["folders"][folder["folder_id"]] = folder
    _save()
    return Folder(**folder)


@mcp.tool(annotations=READ)
def list_folders() -> FolderList:
    """List every folder with its parent and how many files it holds."""
    counts: dict[str, int] = {}
    for f in STATE["files"].values():
        if not f["deleted"]:
            counts[f["folder_id"]] = counts.get(f["folder_id"], 0) + 1
    return FolderList(
        results=[FolderListItem(**f, file_count=counts.get(f["folder_id"], 0)) for f in STATE["folders"].values()]
    )


@mcp.tool(annotations=WRITE)
def write_file(
    folder_id: Annotated[str, Field(description="Id of the folder that will hold the file")],
    name: Annotated[str, Field(description="File name, e.g. notes.txt; an existing file of that name in the folder is overwritten")],
    content: Annotated[str, Field(description="Full text content of the file")],
) -> WrittenFile:
    """Write a text file into a folder, creating it or overwriting the file of the same name."""
    _get("folders", "folder", folder_id)
    name = _nonempty("the file name", name)
    for f in STATE["files"].values():
        if f["folder_id"] == folder_id and f["name"] == name and not f["deleted"]:
            f["content"] = content
            _save()
            return WrittenFile(file_id=f["file_id"], folder_id=folder_id, name=name, size=len(content), created=False)
    f = {"file_id": _new_id("files"), "folder_id": folder_id, "name": name, "content": content, "deleted": False}
    STATE["files"][f["file_id"]] = f
    _save()
    return WrittenFile(file_id=f["file_id"], folder_id=folder_id, name=name, size=len(content), created=True)


def _info(f: dict[str, Any]) -> dict[str, Any]:
    return {"file_id": f["file_id"], "folder_id": f["folder_id"], "name": f["name"], "size": len(f["content"])}


@mcp.tool(annotations=READ)
def read_file(file_id: Annotated[str, Field(description="Id of the file to read")]) -> FileContent:
    """Read the content of a file."""
    f = _file(file_id)
    return FileContent(**_info(f), content=f["content"])


@mcp.tool(annotations=READ)
def list_files(folder_id: Annotated[str, Field(description="Id of the folder whose files to list")]) -> FileList:
    """List the files of one folder (not those of its sub-folders)."""
    _get("folders", "folder", folder_id)
    return FileList(
        results=[FileInfo(**_info(f)) for f in STATE["files"].values() if f["folder_id"] == folder_id and not f["deleted"]]
    )


@mcp.tool(annotations=WRITE)
def move_file(
    file_id: Annotated[str, Field(description="Id of the file to move")],
    folder_id: Annotated[str, Field(description="Id of the folder to move the file into")],
) -> MovedFile:
    """Move a file into another folder."""
    f = _file(file_id)
    _get("folders", "folder", folder_id)
    if f["folder_id"] == folder_id:
        raise ValueError(f"the file {file_id} is already in the folder {folder_id}")
    for other in STATE["files"].values():
        if other["folder_id"] == folder_id and other["name"] == f["name"] and not other["deleted"]:
            raise ValueError(f"the folder {folder_id} already has a file named {f['name']!r} ({other['file_id']})")
    previous = f["folder_id"]
    f["folder_id"] = folder_id
    _save()
    return MovedFile(**_info(f), previous_folder_id=previous)


@mcp.tool(annotations=DESTRUCTIVE)
def delete_file(file_id: Annotated[str, Field(description="Id of the file to delete")]) -> DeletedFile:
    """Delete a file. It can no longer be read, moved or attached afterwards."""
    f = _file(file_id)
    f["deleted"] = True
    _save()
    return DeletedFile(file_id=file_id, folder_id=f["folder_id"], deleted=True)


@mcp.tool(annotations=READ)
def search_files(query: Annotated[str, Field(description="Text to look for in file names and contents (case-insensitive)")]) -> SearchResults:
    """Search every folder for files whose name or content contains the text."""
    q = _nonempty("the query", query).lower()
    hits = []
    for f in STATE["files"].values():
        if f["deleted"]:
            continue
        if q in f["name"].lower():
            hits.append(SearchHit(**_info(f), snippet=f["name"]))
            continue
        for line in f["content"].splitlines():
            if q in line.lower():
                hits.append(SearchHit(**_info(f), snippet=line.strip()))
                break
    return SearchResults(results=hits)


# ---- messaging -------------------------------------------------------------------------------


@mcp.tool(annotations=WRITE)
def create_contact(
    name: Annotated[str, Field(description="Full name of the person")],
    email: Annotated[str, Field(description="Email address of the person")],
) -> Contact:
    """Add a person to the address book."""
    name = _nonempty("the name", name)
    email = email.strip()
    if not EMAIL_RE.match(email):
        raise ValueError(f"{email!r} is not an email address")
    for c in STATE["contacts"].values():
        if c["email"].lower() == email.lower():
            raise ValueError(f"a contact with the email {email} already exists ({c['contact_id']}, {c['name']})")
    c = {"contact_id": _new_id("contacts"), "name": name, "email": email}
    STATE["contacts"][c["contact_id"]] = c
    _save()
    return Contact(**c)


@mcp.tool(annotations=READ)
def find_contacts(query: Annotated[str, Field(description="Part of a name or email address (case-insensitive)")]) -> ContactList:
    """Find contacts whose name or email address contains the text."""
    q = _nonempty("the query", query).lower()
    return ContactList(
        results=[Contact(**c) for c in STATE["contacts"].values() if q in c["name"].lower() or q in c["email"].lower()]
    )


def _message_summary(m: dict[str, Any]) -> dict[str, Any]:
    return {k: m[k] for k in ("message_id", "contact_id", "direction", "subject", "attachment_file_id", "archived")}


@mcp.tool(annotations=WRITE)
def send_message(
    contact_id: Annotated[str, Field(description="Id of the contact to send the message to")],
    subject: Annotated[str, Field(description="Subject line of the message")],
    body: Annotated[str, Field(description="Body text of the message")],
    attachment_file_id: Annotated[
        str | None, Field(description="Id of a file to attach; omit to send no attachment")
    ] = None,
) -> SentMessage:
    """Send a message to a contact, optionally with a file attached."""
    _get("contacts", "contact", contact_id)
    subject = _nonempty("the subject", subject)
    if attachment_file_id is not None:
        _file(attachment_file_id)
    m = {"message_id": _new_id("messages"), "contact_id": contact_id, "direction": "sent", "subject": subject,
         "body": body, "attachment_file_id": attachment_file_id, "in_reply_to": None, "archived": False}
    STATE["messages"][m["message_id"]] = m
    _save()
    return SentMessage(message_id=m["message_id"], contact_id=contact_id, subject=subject,
                       attachment_file_id=attachment_file_id)


@mcp.tool(annotations=READ)
def list_messages(contact_id: Annotated[str, Field(description="Id of the contact whose conversation to list")]) -> MessageList:
    """List the messages sent to and received from one contact, archived ones included."""
    _get("contacts", "contact", contact_id)
    return MessageList(
        results=[MessageSummary(**_message_summary(m)) for m in STATE["messages"].values() if m["contact_id"] == contact_id]
    )


@mcp.tool(annotations=READ)
def read_message(message_id: Annotated[str, Field(description="Id of the message to read")]) -> Message:
    """Read a whole message: body, attachment and the message it answers."""
    m = _get("messages", "message", message_id)
    return Message(**_message_summary(m), body=m["body"], in_reply_to=m["in_reply_to"])


@mcp.tool(annotations=WRITE)
def reply_to_message(
    message_id: Annotated[str, Field(description="Id of the message to answer")],
    body: Annotated[str, Field(description="Body text of the reply")],
) -> Reply:
    """Reply to a message; the reply goes to the same contact with a 'Re:' subject."""
    m = _get("messages", "message", message_id)
    if m["archived"]:
        raise ValueError(f"the message {message_id} is archived and cannot be replied to")
    subject = m["subject"] if m["subject"].startswith("Re: ") else f"Re: {m['subject']}"
    r = {"message_id": _new_id("messages"), "contact_id": m["contact_id"], "direction": "sent", "subject": subject,
         "body": body, "attachment_file_id": None, "in_reply_to": message_id, "archived": False}
    STATE["messages"][r["message_id"]] = r
    _save()
    return Reply(message_id=r["message_id"], in_reply_to=message_id, contact_id=m["contact_id"], subject=subject)


@mcp.tool(annotations=WRITE)
def archive_message(message_id: Annotated[str, Field(description="Id of the message to archive")]) -> Archived:
    """Archive a message. Archived messages can still be read but not replied to."""
    m = _get("messages", "message", message_id)
    if m["archived"]:
        raise ValueError(f"the message {message_id} is already archived")
    m["archived"] = True
    _save()
    return Archived(message_id=message_id, archived=True)


# ---- bookings --------------------------------------------------------------------------------


def _blocking_booking(room_id: str, day: str) -> dict[str, Any] | None:
    for b in STATE["bookings"].values():
        if b["room_id"] == room_id and b["date"] == day and b["status"] == "confirmed":
            return b
    return None


@mcp.tool(annotations=READ)
def list_rooms(
    min_capacity: Annotated[
        int | None, Field(description="Only rooms that hold at least this many people; omit for all rooms")
    ] = None,
) -> RoomList:
    """List the meeting rooms, optionally only those large enough for a group."""
    if min_capacity is not None and min_capacity < 1:
        raise ValueError("min_capacity must be at least 1")
    return RoomList(
        results=[Room(**r) for r in STATE["rooms"].values() if min_capacity is None or r["capacity"] >= min_capacity]
    )


@mcp.tool(annotations=READ)
def check_availability(
    room_id: Annotated[str, Field(description="Id of the meeting room to check")],
    date: Annotated[str, Field(description="Day to check, as YYYY-MM-DD")],
) -> Availability:
    """Tell whether a meeting room is free on a given day."""
    _get("rooms", "room", room_id)
    day = _check_date(date)
    b = _blocking_booking(room_id, day)
    return Availability(room_id=room_id, date=day, available=b is None, booking_id=b["booking_id"] if b else None)


@mcp.tool(annotations=WRITE)
def book_room(
    room_id: Annotated[str, Field(description="Id of the meeting room to book")],
    date: Annotated[str, Field(description="Day of the meeting, as YYYY-MM-DD (a room is booked for whole days)")],
    contact_id: Annotated[str, Field(description="Id of the contact who organizes the meeting")],
    title: Annotated[str, Field(description="Title of the meeting")],
    expected_attendees: Annotated[
        int, Field(description="How many people are expected, organizer included; must fit the room")
    ] = 1,
) -> Booking:
    """Book a meeting room for a day; the organizer is the first attendee."""
    room = _get("rooms", "room", room_id)
    day = _check_date(date)
    _get("contacts", "contact", contact_id)
    title = _nonempty("the title", title)
    if expected_attendees < 1:
        raise ValueError("expected_attendees must be at least 1")
    if expected_attendees > room["capacity"]:
        raise ValueError(
            f"the room {room_id} ({room['name']}) holds {room['capacity']} people, not {expected_attendees}"
        )
    other = _blocking_booking(room_id, day)
    if other is not None:
        raise ValueError(f"the room {room_id} ({room['name']}) is already booked on {day} ({other['booking_id']})")
    b = {"booking_id": _new_id("bookings"), "room_id": room_id, "date": day, "title": title,
         "organizer_contact_id": contact_id, "attendee_contact_ids": [contact_id], "status": "confirmed"}
    STATE["bookings"][b["booking_id"]] = b
    _save()
    return Booking(**b)


@mcp.tool(annotations=READ)
def get_booking(booking_id: Annotated[str, Field(description="Id of the booking")]) -> Booking:
    """Get a booking: room, day, title, organizer, attendees and status."""
    return Booking(**_get("bookings", "booking", booking_id))


@mcp.tool(annotations=DESTRUCTIVE)
def cancel_booking(booking_id: Annotated[str, Field(description="Id of the booking to cancel")]) -> CancelledBooking:
    """Cancel a booking, which frees the room for that day."""
    b = _get("bookings", "booking", booking_id)
    if b["status"] == "cancelled":
        raise ValueError(f"the booking {booking_id} is already cancelled")
    b["status"] = "cancelled"
    _save()
    return CancelledBooking(booking_id=booking_id, room_id=b["room_id"], date=b["date"], status="cancelled")


@mcp.tool(annotations=READ)
def list_bookings(
    contact_id: Annotated[
        str | None, Field(description="Only bookings this contact organizes or attends; omit for all bookings")
    ] = None,
) -> BookingList:
    """List bookings, cancelled ones included, ordered by day."""
    if contact_id is not None:
        _get("contacts", "contact", contact_id)
    found = [
        b for b in STATE["bookings"].values()
        if contact_id is None or contact_id in b["attendee_contact_ids"] or b["organizer_contact_id"] == contact_id
    ]
    found.sort(key=lambda b: (b["date"], b["booking_id"]))
    return BookingList(results=[Booking(**b) for b in found])


@mcp.tool(annotations=WRITE)
def invite_to_booking(
    booking_id: Annotated[str, Field(description="Id of the booking to invite to")],
    contact_id: Annotated[str, Field(description="Id of the contact to invite")],
) -> Invitation:
    """Add a contact to a booking's attendees and send them an invitation message."""
    b = _get("bookings", "booking", booking_id)
    c = _get("contacts", "contact", contact_id)
    if b["status"] == "cancelled":
        raise ValueError(f"the booking {booking_id} is cancelled")
    if contact_id in b["attendee_contact_ids"]:
        raise ValueError(f"{c['name']} ({contact_id}) already attends the booking {booking_id}")
    room = STATE["rooms"][b["room_id"]]
    if len(b["attendee_contact_ids"]) >= room["capacity"]:
        raise ValueError(
            f"the room {room['room_id']} ({room['name']}) holds {room['capacity']} people and the booking "
            f"{booking_id} already has {len(b['attendee_contact_ids'])} attendees"
        )
    b["attendee_contact_ids"].append(contact_id)
    m = {"message_id": _new_id("messages"), "contact_id": contact_id, "direction": "sent",
         "subject": f"Invitation: {b['title']} on {b['date']}",
         "body": f"You are invited to {b['title']} in {room['name']} (floor {room['floor']}) on {b['date']}.",
         "attachment_file_id": None, "in_reply_to": None, "archived": False}
    STATE["messages"][m["message_id"]] = m
    _save()
    return Invitation(**b, invitation_message_id=m["message_id"])


# ---- state -----------------------------------------------------------------------------------


@mcp.tool(annotations=DESTRUCTIVE)
def reset_state() -> ResetResult:
    """Restore the initial seeded state, undoing every change."""
    STATE.clear()
    STATE.update(_seed())
    _save()
    return ResetResult(reset=True, digest=_digest())


@mcp.tool(annotations=READ)
def state_digest() -> Digest:
    """Return a sha256 digest of the whole state, to compare states."""
    return Digest(digest=_digest())


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=f"{SERVER_NAME}: a stateful MCP test server")
    parser.add_argument("--http", type=int, metavar="PORT",
                        help="serve streamable HTTP at http://127.0.0.1:PORT/mcp instead of stdio")
    parser.add_argument("--json-response", action="store_true",
                        help="with --http: answer POSTs with plain JSON instead of an SSE stream")
    args = parser.parse_args()
    try:
        mcp.fail = _parse_fail(os.environ.get("OFFICE_FAIL"))
        STATE.update(_load())
    except (ValueError, OSError) as e:
        print(f"{SERVER_NAME}: {e}", file=sys.stderr)
        sys.exit(2)
    if args.http is not None:
        mcp.settings.host = "127.0.0.1"
        mcp.settings.port = args.http
        mcp.settings.streamable_http_path = "/mcp"
        mcp.settings.json_response = args.json_response
        mcp.run("streamable-http")
    else:
        mcp.run("stdio")


if __name__ == "__main__":
    main()
