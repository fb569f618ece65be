// A search box whose results arrive asynchronously (Searcher.search returns a qtasync result
// object); each keystroke cancels the previous query. Takes the examples' options:
// --click-after 300ms (types "qq" as a user would), --quit-after 2s, --screenshot PATH.
import QtQuick
import QtQuick.Controls
import com.qtasync.examples

ApplicationWindow {
    id: window
    width: 420
    height: 360
    visible: true
    title: "qtasync: search QML"

    Searcher { id: searcher }

    // The result object of the latest query (null before the first keystroke).
    property var pending: null
    property var hits: []

    Item {
        id: content
        anchors.fill: parent

        Column {
            anchors.fill: parent
            anchors.margins: 16
            spacing: 10

            Row {
                spacing: 10
                width: parent.width

                TextField {
                    id: field
                    width: parent.width - busy.width - 10
                    placeholderText: "Search Qt classes..."
                    focus: true
                    onTextChanged: {
                        const search = searcher.search(text)
                        window.pending = search
                        search.then(function (found) { window.hits = found })
                    }
                }

                BusyIndicator {
                    id: busy
                    height: field.height
                    width: height
                    running: window.pending !== null && window.pending.running
                }
            }

            Label {
                text: window.pending === null
                      ? "Type to search; results take 400 ms to arrive."
                      : (window.pending.running ? "Searching \u201c" + field.text + "\u201d..."
                                                : window.hits.length + " found for \u201c"
                                                  + field.text + "\u201d")
                      + "  (" + searcher.superseded + " earlier queries cancelled)"
            }

            ListView {
                width: parent.width
                height: parent.height - field.height - 40
                clip: true
                model: window.hits
                delegate: Label {
                    required property string modelData
                    text: modelData
                    padding: 2
                }
            }
        }
    }

    function option(name) {
        const args = Qt.application.arguments
        const at = args.indexOf(name)
        return at >= 0 && at + 1 < args.length ? args[at + 1] : ""
    }

    function millis(text) {
        if (text.endsWith("ms")) return parseFloat(text)
        if (text.endsWith("s")) return parseFloat(text) * 1000
        return -1
    }

    // --click-after: types "qq", one key every 50 ms, as a user would.
    Timer {
        id: typing
        property string keys: "qq"
        interval: Math.max(0, millis(option("--click-after")))
        running: option("--click-after") !== ""
        onTriggered: {
            field.text += keys[field.text.length]
            interval = 50
            if (field.text.length < keys.length) restart()
        }
    }

    Timer {
        interval: Math.max(0, millis(option("--quit-after")))
        running: option("--quit-after") !== ""
        onTriggered: {
            const path = option("--screenshot")
            if (path === "") {
                Qt.quit()
                return
            }
            const grabbing = content.grabToImage(function (image) {
                image.saveToFile(path)
                Qt.quit()
            })
            if (!grabbing) Qt.quit()
        }
    }
}
